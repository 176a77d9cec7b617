/* The main() of the fo_layer_<stage> programs (CMakeLists.txt): each links
 * one stage's whole library with only the stages and libraries declared
 * below it, so that linking fails on a call that crosses the layers. The
 * program does nothing and is never run. */
int main(void)
{
    return 0;
}
