#!/usr/bin/env bash
# The layers, held at the #include level: every #include of every file
# under pipeline/ is checked against what its stage may use, and a
# forbidden one fails with the reason it is forbidden.
#
#  - Project headers: a stage includes its own headers and those of the
#    stages below it (STAGES below; it must be the graph of FO_USES_* in
#    CMakeLists.txt, which this test checks too), never another stage's
#    <module>_private.h, and model's public headers (those other stages
#    include, and what they include) never include source/.
#  - Third-party headers: each library's headers only in the stages that
#    are meant to use it (LIBS below), each with the reason.
#  - Any other <header> must be a C11 or POSIX/Linux system header (SYSTEM
#    below): a new library is added here, with the stages it is for.
#
# The CMake side (third-party libraries PRIVATE per stage, fo_layer_<stage>
# linking each stage alone) does not catch includes: most of these headers
# sit in /usr/include, where every stage's compiler finds them.
set -euo pipefail
: "${SRC:?SRC must point at the source tree}"
exec python3 - "$SRC" <<'PY'
import os, re, sys

src = sys.argv[1]
pipe = os.path.join(src, 'pipeline')

# Each stage and the stages its files may include (itself and everything
# below it, as CMakeLists.txt links them). cache: the content-addressed
# store; image's public header names its digest, so every stage above image
# sees it.
STAGES = {
    'core': [],
    'cache': ['core'],
    'source': ['core'],
    'model': ['core', 'source'],
    'image': ['core', 'cache'],
    'dlist': ['core', 'cache', 'image'],
    'typeset': ['core', 'cache', 'image', 'dlist', 'model'],
    'check': ['core', 'cache', 'image', 'dlist', 'model'],
    'render': ['core', 'cache', 'image', 'dlist'],
    'impose': ['core', 'cache', 'image', 'dlist'],
    'cli': ['core', 'cache', 'source', 'model', 'image', 'dlist', 'typeset',
            'check', 'render', 'impose'],
}
WHY_STAGE = {
    ('render', 'typeset'): 'render draws the display list as it is; it never '
    'lays out again, so it cannot reach the typesetter',
    ('render', 'model'): 'render draws the display list, which carries all '
    'it needs (fonts by file, colours, links, labels): the publication '
    'model is above it',
    ('render', 'check'): 'the preflight reads render\'s outputs, not the '
    'other way round',
    ('check', 'render'): 'the preflight reads the display list and the '
    'model; what a renderer does with them is render\'s business',
    ('check', 'typeset'): 'the preflight checks what layout produced (the '
    'display list), not how',
    ('typeset', 'render'): 'typeset writes the display list and stops '
    'there: renderers consume it',
    ('typeset', 'check'): 'the preflight runs after layout, over its '
    'display list',
    ('dlist', 'typeset'): 'the display list is plain data that typeset '
    'writes; it knows nothing of its writer',
    ('model', 'typeset'): 'the model is what layout reads; it cannot '
    'depend on layout',
    ('image', 'model'): 'image decodes files; it knows no publication',
    ('source', 'model'): 'source is the YAML reader under the model',
    ('impose', 'render'): 'imposition makes display-list sheets; the '
    'renderers draw them like any page',
    ('impose', 'model'): 'imposition reads the display list only: the '
    'template\'s sheet and creep come in its options',
    ('render', 'impose'): 'render draws the sheets impose made, as it '
    'draws any display list',
}

# Third-party headers: a pattern over the included name, the library, the
# stages that may include it, and why the others may not.
LIBS = [
    (r'yaml\.h$', 'libyaml', ['source'],
     'source is the one YAML reader: later stages read its node tree, '
     'whose every node carries file:line:col'),
    (r'pango/', 'Pango', ['typeset'],
     'Pango objects stay in typeset: the stages after it read the display '
     'list, so what is drawn is exactly what was laid out'),
    (r'fontconfig/', 'fontconfig', ['typeset'],
     'the private font set (typeset/fonts.c) is the only one: the display '
     'list names each font by file, so no other stage looks fonts up'),
    (r'hyphen\.h$', 'libhyphen', ['typeset'],
     'hyphenation is part of line breaking, in typeset'),
    (r'(harfbuzz/)?hb\.h$|(harfbuzz/)?hb-ot\.h$', 'HarfBuzz',
     ['typeset', 'render'],
     'shaping is typeset\'s and font tables are the PDF writer\'s: other '
     'stages get glyphs from the display list'),
    (r'(harfbuzz/)?hb-subset\.h$', 'hb-subset', ['render'],
     'font subsetting belongs to the PDF writer\'s font module'),
    (r'cairo[^/]*\.h$|cairo/', 'Cairo', ['render'],
     'Cairo draws, and drawing is render\'s (the PNG renderer): typeset '
     'measures with PangoFT2, so no Cairo surface or font reaches layout'),
    (r'hpdf[^/]*\.h$', 'libharu', ['render'],
     'libharu types never leave render: a PDF is one of render\'s outputs '
     'of the display list'),
    (r'lcms2\.h$', 'LittleCMS', ['render'],
     'colour management turns the display list\'s colours into output '
     'colours: render\'s business'),
    (r'ft2build\.h$|^FT_[A-Z0-9_]+_H$|freetype/', 'FreeType',
     ['typeset', 'check', 'render'],
     'only the stages that read glyphs from font files (layout, the '
     'preflight\'s ink checks, the renderers) open them'),
    (r'png\.h$|pngconf\.h$', 'libpng', ['image'],
     'image decodes every picture once, into fo_image: the others take '
     'that, not the file'),
    (r'jpeglib\.h$|jerror\.h$|jconfig\.h$|jmorecfg\.h$', 'libjpeg',
     ['image', 'render'],
     'image decodes JPEG files; render only passes their data through to '
     'the PDF'),
    (r'zlib\.h$', 'zlib', ['image', 'render'],
     'compression is for decoding (image) and writing (render)'),
    (r'libdeflate\.h$', 'libdeflate', ['image', 'render'],
     'compression is for decoding (image) and writing (render)'),
    (r'unicode/', 'ICU', ['model', 'typeset'],
     'Unicode text work (normalisation, breaking, character names) is the '
     'model\'s and the typesetter\'s'),
    (r'glib\.h$|glib/|glib-object\.h$|gobject/', 'GLib',
     ['model', 'typeset', 'check', 'cli'],
     'core, source, image, dlist and render speak plain C; GLib types '
     'stay out of their interfaces'),
    (r'archive\.h$|archive_entry\.h$', 'libarchive', ['cli'],
     'the handoff package\'s .tar (cli/package.c) is the command line\'s '
     'product, not a stage\'s'),
    (r'qrencode\.h$', 'libqrencode', ['typeset'],
     'a QR code is laid out as rectangles in the display list (typeset/qr.c): '
     'the renderers draw those, not the symbol'),
    (r'xxhash\.h$', 'xxHash', ['cache'],
     'the cache\'s keys and checksums are the cache\'s own'),
]

# hb-subset: the PDF writer's font module alone, once it exists.
PDF_FONT = os.path.join(pipe, 'render', 'pdf_font.c')

SYSTEM = set('''
assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h iso646.h
limits.h locale.h math.h setjmp.h signal.h stdalign.h stdarg.h stdatomic.h
stdbool.h stddef.h stdint.h stdio.h stdlib.h stdnoreturn.h string.h
tgmath.h threads.h time.h uchar.h wchar.h wctype.h
dirent.h dlfcn.h elf.h fcntl.h fnmatch.h glob.h grp.h iconv.h langinfo.h
libgen.h link.h poll.h pthread.h pwd.h regex.h sched.h semaphore.h spawn.h
strings.h syslog.h termios.h unistd.h utime.h wordexp.h
'''.split())
SYSTEM_DIRS = ('sys/', 'linux/')

errors = []
notes = []

# The stage graph must be CMake's: a stage here that CMake links
# differently would let through an include whose calls cannot link.
cm = open(os.path.join(src, 'CMakeLists.txt')).read()
def cmake_set(name):
    m = re.search(r'^set\(%s\b([^)]*)\)' % re.escape(name), cm, re.M)
    return m.group(1).split() if m else []
stage_dirs = sorted(d for d in os.listdir(pipe)
                    if os.path.isdir(os.path.join(pipe, d)))
for s in stage_dirs:
    if s not in STAGES:
        errors.append('pipeline/%s/: not a stage of tests/cli/layers.sh: add '
                      'it to STAGES with the stages it may include, as in '
                      'CMakeLists.txt' % s)
        continue
    if s not in cmake_set('FO_STAGES'):
        errors.append('pipeline/%s/: not in FO_STAGES of CMakeLists.txt' % s)
        continue
    cmake_uses = set(cmake_set('FO_USES_' + s) +
                     cmake_set('FO_USES_PRIVATE_' + s))
    # what the headers of the stages it uses bring in, transitively
    todo, below = list(cmake_uses), set()
    while todo:
        u = todo.pop()
        if u in below:
            continue
        below.add(u)
        todo += cmake_set('FO_USES_' + u)
    mine = set(u for u in STAGES[s] if u in stage_dirs)
    if below != mine:
        errors.append('CMakeLists.txt links %s with %s, but the include '
                      'rules (tests/cli/layers.sh STAGES) give it %s: keep '
                      'the two graphs the same' %
                      (s, sorted(below) or 'no stage', sorted(mine) or
                       'no stage'))

inc_re = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<([^>]+)>|(\S+))')

def includes(path):
    with open(path, encoding='utf-8') as f:
        for no, line in enumerate(f.read().split('\n'), 1):
            m = inc_re.match(line)
            if m:
                yield no, line, m.groups()

# model's public headers: those another stage includes, and the model
# headers they include in turn (model_private.h and a getter header that
# only model's own files use are not public).
model_public = set()
for s in stage_dirs:
    if s == 'model':
        continue
    for name in os.listdir(os.path.join(pipe, s)):
        if name.endswith(('.c', '.h')):
            for _, _, (q, _, _) in includes(os.path.join(pipe, s, name)):
                if q and q.startswith('model/'):
                    model_public.add(q.split('/', 1)[1])
todo = list(model_public)
while todo:
    h = todo.pop()
    path = os.path.join(pipe, 'model', h)
    if not os.path.exists(path):
        continue
    for _, _, (q, _, _) in includes(path):
        if q:
            n = q.split('/', 1)[1] if q.startswith('model/') else q
            if '/' not in n and n not in model_public:
                model_public.add(n)
                todo.append(n)

for s in stage_dirs:
    if s not in STAGES:
        continue
    folder = os.path.join(pipe, s)
    for name in sorted(os.listdir(folder)):
        if not name.endswith(('.c', '.h')):
            continue
        rel = 'pipeline/%s/%s' % (s, name)
        for no, line, (quoted, angled, macro) in includes(
                os.path.join(folder, name)):
            where = '%s:%d: #include %s' % (rel, no, line.split('include', 1)[1].strip())
            def bad(why):
                errors.append('%s: forbidden in %s: %s' % (where, s, why))
            if quoted is not None:
                # "stage/file.h" is found from pipeline/ (the include
                # root), "file.h" in the includer's own folder
                parts = (os.path.normpath(quoted).split(os.sep)
                         if '/' in quoted else [s, quoted])
                if len(parts) != 2 or parts[0] == '..':
                    bad('a project header is named from pipeline/ '
                        '("stage/file.h") or from its own folder')
                    continue
                target, header = parts[0], parts[-1]
                if target != s:
                    if target not in STAGES[s]:
                        why = WHY_STAGE.get((s, target),
                                            '%s is not below %s in the layers'
                                            % (target, s))
                        bad('%s (%s may include only %s; the graph is in '
                            'CMakeLists.txt and docs/architecture.md)' %
                            (why, s, ', '.join(u for u in STAGES[s]
                                               if u in stage_dirs) or
                             'its own headers'))
                    elif header.endswith('_private.h'):
                        bad('%s is private to %s/: a stage uses another '
                            'only through its public headers' %
                            (header, target))
                    elif (s == 'model' and name in model_public and
                          target == 'source'):
                        bad('the model\'s public headers show no YAML: the '
                            'node tree is read inside model\'s .c files, '
                            'and the model\'s users get typed values')
                continue
            inc = angled if angled is not None else macro
            lib = None
            for pat, libname, stages, why in LIBS:
                if re.search(pat, inc):
                    lib = (libname, stages, why)
                    break
            if lib is None:
                if angled is not None and (inc in SYSTEM or
                                           inc.startswith(SYSTEM_DIRS)):
                    continue
                bad('<%s> is no system header and no library this test '
                    'knows: add its library to LIBS in tests/cli/layers.sh '
                    'with the stages that may use it and why' % inc
                    if angled is not None else
                    'a macro include this test cannot check')
                continue
            libname, stages, why = lib
            if s not in stages:
                bad('%s is for %s only: %s' % (libname, ', '.join(stages),
                                               why))
                continue
            if libname == 'hb-subset':
                if os.path.exists(PDF_FONT):
                    if rel != 'pipeline/render/pdf_font.c':
                        bad('hb-subset is for render/pdf_font.c only: font '
                            'subsetting, CIDFonts and ToUnicode live there '
                            'and nowhere else in the PDF writer')
                else:
                    notes.append('note: %s: allowed in any render/*.c until '
                                 'render/pdf_font.c exists' % where)

for n in notes:
    print(n)
if errors:
    for e in errors:
        print('FAIL: ' + e)
    print('layers: %d forbidden include(s) or mismatch(es)' % len(errors))
    sys.exit(1)
print('layers: every #include under pipeline/ keeps to its stage')
PY
