/* The analysis of a search document, in C: what search._numbered_terms_in_python computes, with the
 * same result, some three times faster. It was two fifths of the search index process's time.
 *
 * A text is split into pieces on ASCII white space, as bytes.split() does, each "\n" a piece "."
 * of its own (a clause break). Each piece is looked up in a table kept here, which holds for it what
 * search._read_piece gave the first time the piece was met: the head and the tail of each of its
 * words, as numbers. So most pieces cost a hash and a comparison of their bytes, with no Python
 * object made for them. The table keeps at most `limit` pieces (a piece read when it is full is used
 * for its document only); it is emptied by forget() (when the term numbers start over) and by a
 * call that finds it full. Its hash is seeded at random for each process: text is untrusted.
 *
 * Then, as search._numbered_terms_in_python: each head is counted with its field's weight (clause
 * breaks, head 0, are not), and each head ANDed with the next word's tail is a pair, unless 0.
 * numbered_terms gives these as Python objects (an edit's update compares two documents' terms);
 * add_document, for a clean build, adds them to lists kept here instead (see "a clean build's lists"):
 * with the analysis, that took the search index process from 2.0 to 0.7 s of CPU at 10,000 articles.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    PyObject *head; /* the term's head: owned by the table, or by the list of a record's ends */
    uint64_t low;   /* its low 64 bits: all a pair needs of it (a tail is below 2**64) */
    uint64_t tail;
    uint64_t term;  /* the term's number: head >> 64 */
    int is_break;   /* head is 0 */
} Word;

static PyObject *SIXTY_FOUR;

typedef struct {
    uint64_t hash; /* 0: an empty slot */
    char *bytes;
    Py_ssize_t size;
    Py_ssize_t count;
    Word *words;
} Piece;

static Piece *pieces;
static size_t capacity; /* a power of two, or 0 */
static size_t used;

static uint64_t mix(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* Random for each process (see PyInit__analysis): an article's text is untrusted, and pieces
 * crafted to fall in one slot of the table would make every lookup walk all of them. */
static uint64_t seed;

static uint64_t hash_bytes(const char *s, Py_ssize_t size) {
    uint64_t h = 0xcbf29ce484222325ULL ^ seed; /* FNV-1a from the seed, then mixed */
    for (Py_ssize_t i = 0; i < size; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    h = mix(h);
    return h ? h : 1;
}

static void forget_pieces(void) {
    for (size_t i = 0; i < capacity; i++) {
        Piece *p = &pieces[i];
        if (!p->hash) continue;
        for (Py_ssize_t k = 0; k < p->count; k++) Py_DECREF(p->words[k].head);
        PyMem_Free(p->words);
        PyMem_Free(p->bytes);
    }
    PyMem_Free(pieces);
    pieces = NULL;
    capacity = used = 0;
}

static int grow(void) {
    size_t bigger = capacity ? capacity * 2 : 4096;
    Piece *table = PyMem_Calloc(bigger, sizeof(Piece));
    if (!table) { PyErr_NoMemory(); return -1; }
    for (size_t i = 0; i < capacity; i++) {
        if (!pieces[i].hash) continue;
        size_t at = pieces[i].hash & (bigger - 1);
        while (table[at].hash) at = (at + 1) & (bigger - 1);
        table[at] = pieces[i];
    }
    PyMem_Free(pieces);
    pieces = table;
    capacity = bigger;
    return 0;
}

/* One number of an ends tuple as a Word's: heads and tails are ints. */
static int word_of(PyObject *head, PyObject *tail, Word *word) {
    if (!PyLong_CheckExact(head) || !PyLong_CheckExact(tail)) {
        PyErr_SetString(PyExc_TypeError, "a word's head and tail must be ints");
        return -1;
    }
    word->low = PyLong_AsUnsignedLongLongMask(head);
    if (word->low == (uint64_t)-1 && PyErr_Occurred()) return -1;
    word->tail = PyLong_AsUnsignedLongLongMask(tail);
    if (word->tail == (uint64_t)-1 && PyErr_Occurred()) return -1;
    int truth = PyObject_IsTrue(head);
    if (truth < 0) return -1;
    word->is_break = !truth;
    word->head = head;
    PyObject *term = PyNumber_Rshift(head, SIXTY_FOUR);
    if (!term) return -1;
    word->term = PyLong_AsUnsignedLongLong(term);
    Py_DECREF(term);
    if (word->term == (uint64_t)-1 && PyErr_Occurred()) return -1;
    return 0;
}

typedef struct {
    Word *items;
    Py_ssize_t size, room;
} Words;

static int push(Words *w, const Word *word) {
    if (w->size == w->room) {
        Py_ssize_t room = w->room ? w->room * 2 : 1024;
        Word *items = PyMem_Realloc(w->items, room * sizeof(Word));
        if (!items) { PyErr_NoMemory(); return -1; }
        w->items = items;
        w->room = room;
    }
    w->items[w->size++] = *word;
    return 0;
}

typedef struct {
    PyObject *read_piece; /* search._read_piece */
    Py_ssize_t limit;     /* pieces the table keeps at most */
    PyObject *kept;       /* the ends of pieces read while the table was full (NULL: none): the words
                             taken from them borrow their heads, so they are kept until the end */
} Reader;

static int push_words(Words *w, const Word *words, Py_ssize_t count) {
    for (Py_ssize_t k = 0; k < count; k++)
        if (push(w, &words[k]) < 0) return -1;
    return 0;
}

/* A new piece into the table, its words' heads owned by it from now on. */
static int keep_piece(uint64_t h, const char *s, Py_ssize_t size, Word *words, Py_ssize_t count) {
    char *bytes = PyMem_Malloc(size ? size : 1);
    if (!bytes) { PyErr_NoMemory(); return -1; }
    if ((used + 1) * 2 > capacity && grow() < 0) {
        PyMem_Free(bytes);
        return -1;
    }
    memcpy(bytes, s, size);
    for (Py_ssize_t k = 0; k < count; k++) Py_INCREF(words[k].head);
    size_t at = h & (capacity - 1);
    while (pieces[at].hash) at = (at + 1) & (capacity - 1);
    Piece *p = &pieces[at];
    p->hash = h;
    p->bytes = bytes;
    p->size = size;
    p->count = count;
    p->words = words;
    used++;
    return 0;
}

/* The words of a piece, from the table, or read by read_piece when the table does not have it, and
 * kept in it while it holds fewer than `limit` pieces: a text of millions of pieces met once
 * (numbers, names) cannot make it grow past that. */
static int push_piece(Words *w, const char *s, Py_ssize_t size, Reader *r) {
    uint64_t h = hash_bytes(s, size);
    if (capacity) {
        size_t at = h & (capacity - 1);
        while (pieces[at].hash) {
            Piece *p = &pieces[at];
            if (p->hash == h && p->size == size && memcmp(p->bytes, s, size) == 0)
                return push_words(w, p->words, p->count);
            at = (at + 1) & (capacity - 1);
        }
    }
    PyObject *ends = PyObject_CallFunction(r->read_piece, "y#", s, size);
    if (!ends) return -1;
    if (!PyTuple_CheckExact(ends) || PyTuple_GET_SIZE(ends) % 2) {
        Py_DECREF(ends);
        PyErr_SetString(PyExc_TypeError, "read_piece must give a tuple of heads and tails");
        return -1;
    }
    Py_ssize_t count = PyTuple_GET_SIZE(ends) / 2;
    Word *words = PyMem_Malloc((count ? count : 1) * sizeof(Word));
    if (!words) {
        Py_DECREF(ends);
        PyErr_NoMemory();
        return -1;
    }
    int result = 0;
    for (Py_ssize_t k = 0; k < count && result == 0; k++)
        result = word_of(PyTuple_GET_ITEM(ends, 2 * k), PyTuple_GET_ITEM(ends, 2 * k + 1), &words[k]);
    if (result == 0) result = push_words(w, words, count);
    if (result == 0 && (Py_ssize_t)used < r->limit) {
        result = keep_piece(h, s, size, words, count);
        if (result == 0) words = NULL; /* the table's now */
    } else if (result == 0) {
        if (!r->kept && !(r->kept = PyList_New(0))) result = -1;
        if (result == 0) result = PyList_Append(r->kept, ends);
    }
    PyMem_Free(words);
    Py_DECREF(ends);
    return result;
}

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c';
}

/* The words of a text (UTF-8), piece by piece: see the top of this file. */
static int push_text(Words *w, PyObject *text, Reader *r) {
    const char *s = PyBytes_AS_STRING(text);
    Py_ssize_t size = PyBytes_GET_SIZE(text);
    Py_ssize_t i = 0;
    while (i < size) {
        if (is_space(s[i])) {
            if (s[i] == '\n' && push_piece(w, ".", 1, r) < 0) return -1;
            i++;
            continue;
        }
        Py_ssize_t start = i;
        while (i < size && !is_space(s[i])) i++;
        if (push_piece(w, s + start, i - start, r) < 0) return -1;
    }
    return 0;
}

/* Whether a document's pair is met for the first time in it, in `seen` (a table of `size` slots). */
static int first_time(uint64_t *seen, size_t size, uint64_t pair) {
    size_t at = mix(pair) & (size - 1);
    while (seen[at] && seen[at] != pair) at = (at + 1) & (size - 1);
    if (seen[at]) return 0;
    seen[at] = pair;
    return 1;
}

static size_t table_size(Py_ssize_t entries) {
    size_t size = 16;
    while (size < (size_t)entries * 2) size *= 2;
    return size;
}

/* A document's words, from the arguments numbered_terms and add_document share:
 * read_piece, title, record_ends, doc, body, title_weight, field_weight, body_weight, limit.
 * title and body: UTF-8; record_ends(doc): the ends of the record's fields (search._record_ends),
 * asked for after the title is read, so that terms are numbered in the order they are met.
 * `record` gets the list the record's words are borrowed from: the caller releases it. */
typedef struct {
    Words words;
    Py_ssize_t record_at, body_at; /* where the record's words start, and the body's */
    long weights[3];               /* title, record, body */
    PyObject *record;
    Reader reader;
} Document;

static int read_document(PyObject *const *args, Document *d) {
    PyObject *title = args[1], *record_ends = args[2], *doc = args[3], *body = args[4];
    d->reader.read_piece = args[0];
    if (!PyBytes_Check(title) || !PyBytes_Check(body)) {
        PyErr_SetString(PyExc_TypeError, "the title and the body are read as bytes");
        return -1;
    }
    for (int k = 0; k < 3; k++) {
        d->weights[k] = PyLong_AsLong(args[5 + k]);
        if (d->weights[k] == -1 && PyErr_Occurred()) return -1;
    }
    d->reader.limit = PyLong_AsSsize_t(args[8]);
    if (d->reader.limit == -1 && PyErr_Occurred()) return -1;
    if ((Py_ssize_t)used >= d->reader.limit) forget_pieces(); /* here, where no word of the table is in use */

    Words *w = &d->words;
    if (push_text(w, title, &d->reader) < 0) return -1;
    d->record_at = w->size + 1; /* after the title's words and the break that ends it */
    Word stop = {Py_None, 0, 0, 0, 1}; /* a clause break: its head is never read */
    if (push(w, &stop) < 0) return -1;
    d->record = PyObject_CallOneArg(record_ends, doc);
    if (!d->record) return -1;
    if (!PyList_CheckExact(d->record)) {
        PyErr_SetString(PyExc_TypeError, "record_ends must give a list");
        return -1;
    }
    Py_ssize_t record_size = PyList_GET_SIZE(d->record);
    if (record_size % 2) {
        PyErr_SetString(PyExc_ValueError, "a record's ends come in pairs");
        return -1;
    }
    for (Py_ssize_t k = 0; k < record_size; k += 2) {
        Word word;
        if (word_of(PyList_GET_ITEM(d->record, k), PyList_GET_ITEM(d->record, k + 1), &word) < 0) return -1;
        if (push(w, &word) < 0) return -1;
    }
    d->body_at = w->size;
    return push_text(w, body, &d->reader);
}

static void release_document(Document *d) {
    PyMem_Free(d->words.items);
    Py_XDECREF(d->record);
    Py_XDECREF(d->reader.kept);
}

/* numbered_terms(read_piece, title, record_ends, doc, body, title_weight, field_weight, body_weight,
 *                limit) -> (counts by head, weighted length, set of pairs) */
static PyObject *numbered_terms(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 9) {
        PyErr_SetString(PyExc_TypeError, "numbered_terms takes 9 arguments");
        return NULL;
    }
    Document d = {0};
    PyObject *counts = NULL, *pairs = NULL, *result = NULL;
    uint64_t *seen_pairs = NULL;
    struct { PyObject *head; long count; } *slots = NULL;
    PyObject **order = NULL;
    if (read_document(args, &d) < 0) goto done;
    Words w = d.words;
    Py_ssize_t record_at = d.record_at, body_at = d.body_at;
    long *weights = d.weights;

    size_t size = table_size(w.size);
    seen_pairs = PyMem_Calloc(size, sizeof(uint64_t));
    slots = PyMem_Calloc(size, sizeof(*slots));
    order = PyMem_Malloc((w.size + 1) * sizeof(PyObject *));
    pairs = PySet_New(NULL);
    counts = PyDict_New();
    if (!seen_pairs || !slots || !order) { PyErr_NoMemory(); goto done; }
    if (!pairs || !counts) goto done;
    Py_ssize_t distinct = 0;
    long length = 0;
    for (Py_ssize_t i = 0; i < w.size; i++) {
        Word *word = &w.items[i];
        uint64_t pair = i > 0 ? w.items[i - 1].low & word->tail : 0;
        if (pair && first_time(seen_pairs, size, pair)) {
            PyObject *number = PyLong_FromUnsignedLongLong(pair);
            if (!number) goto done;
            int added = PySet_Add(pairs, number);
            Py_DECREF(number);
            if (added < 0) goto done;
        }
        if (word->is_break) continue;
        long weight = i < record_at ? weights[0] : i < body_at ? weights[1] : weights[2];
        length += weight;
        size_t at = mix((uint64_t)(uintptr_t)word->head) & (size - 1);
        while (slots[at].head && slots[at].head != word->head) at = (at + 1) & (size - 1);
        if (!slots[at].head) {
            slots[at].head = word->head;
            order[distinct++] = word->head;
        }
        slots[at].count += weight;
    }
    /* In the order heads were first met, as Counter gives them; two equal heads that are distinct
     * objects are one term. */
    for (Py_ssize_t k = 0; k < distinct; k++) {
        PyObject *head = order[k];
        size_t at = mix((uint64_t)(uintptr_t)head) & (size - 1);
        while (slots[at].head != head) at = (at + 1) & (size - 1);
        long count = slots[at].count;
        PyObject *before = PyDict_GetItemWithError(counts, head);
        if (before) {
            count += PyLong_AsLong(before);
        } else if (PyErr_Occurred()) {
            goto done;
        }
        PyObject *value = PyLong_FromLong(count);
        if (!value) goto done;
        int set = PyDict_SetItem(counts, head, value);
        Py_DECREF(value);
        if (set < 0) goto done;
    }
    result = Py_BuildValue("(OlO)", counts, length, pairs);
done:
    release_document(&d);
    Py_XDECREF(counts);
    Py_XDECREF(pairs);
    PyMem_Free(seen_pairs);
    PyMem_Free(slots);
    PyMem_Free(order);
    return result;
}

/* --- a clean build's lists --------------------------------------------------------------
 * What search._add_postings and search._IdLists keep for a clean build, kept here when the
 * documents are given to add_document: for each term (by number), its postings, and for each pair,
 * its documents, as the varint text the index writes (see search._append_varint), each id as the
 * difference from the one before, a posting's weight after its id. take_postings and take_pairs
 * hand them over at the end, by number, as bytes. */

typedef struct {
    uint64_t key; /* a term's or a pair's number; 0: an empty slot (neither is ever 0) */
    uint32_t last; /* the document added last */
    uint32_t size, room;
    unsigned char *bytes;
} List;

typedef struct {
    List *slots;
    size_t capacity, used; /* a power of two, or 0 */
} Lists;

static Lists term_lists, pair_lists;

static const char ALPHABET[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

static void free_lists(Lists *lists) {
    for (size_t i = 0; i < lists->capacity; i++) PyMem_Free(lists->slots[i].bytes);
    PyMem_Free(lists->slots);
    lists->slots = NULL;
    lists->capacity = lists->used = 0;
}

static List *list_of(Lists *lists, uint64_t key) {
    if (lists->capacity) {
        size_t at = mix(key) & (lists->capacity - 1);
        while (lists->slots[at].key) {
            if (lists->slots[at].key == key) return &lists->slots[at];
            at = (at + 1) & (lists->capacity - 1);
        }
    }
    if ((lists->used + 1) * 10 > lists->capacity * 7) {
        size_t bigger = lists->capacity ? lists->capacity * 2 : 1024;
        List *slots = PyMem_Calloc(bigger, sizeof(List));
        if (!slots) { PyErr_NoMemory(); return NULL; }
        for (size_t i = 0; i < lists->capacity; i++) {
            if (!lists->slots[i].key) continue;
            size_t at = mix(lists->slots[i].key) & (bigger - 1);
            while (slots[at].key) at = (at + 1) & (bigger - 1);
            slots[at] = lists->slots[i];
        }
        PyMem_Free(lists->slots);
        lists->slots = slots;
        lists->capacity = bigger;
    }
    size_t at = mix(key) & (lists->capacity - 1);
    while (lists->slots[at].key) at = (at + 1) & (lists->capacity - 1);
    lists->slots[at].key = key;
    lists->used++;
    return &lists->slots[at];
}

/* One number's varint at the end of a list (at most 13 characters for 64 bits). */
static int append_varint(List *list, uint64_t value) {
    if (list->size + 13 > list->room) {
        uint32_t room = list->room ? list->room * 2 : 8;
        while (list->size + 13 > room) room *= 2;
        unsigned char *bytes = PyMem_Realloc(list->bytes, room);
        if (!bytes) { PyErr_NoMemory(); return -1; }
        list->bytes = bytes;
        list->room = room;
    }
    while (value >= 32) {
        list->bytes[list->size++] = ALPHABET[32 | (value & 31)];
        value >>= 5;
    }
    list->bytes[list->size++] = ALPHABET[value];
    return 0;
}

/* A document, added after every document of a smaller id, to the list of each key. */
static int add_to(Lists *lists, uint64_t key, uint32_t doc_id, long weight) {
    List *list = list_of(lists, key);
    if (!list) return -1;
    if (list->size && doc_id <= list->last) {
        PyErr_SetString(PyExc_ValueError, "documents are added in the order of their ids");
        return -1;
    }
    if (append_varint(list, list->size ? doc_id - list->last : doc_id) < 0) return -1;
    if (weight && append_varint(list, (uint64_t)weight) < 0) return -1;
    list->last = doc_id;
    return 0;
}

/* add_document(doc_id, read_piece, title, record_ends, doc, body, title_weight, field_weight,
 *              body_weight, limit) -> its weighted length. What numbered_terms finds, added to the
 * lists instead of made into Python objects. */
static PyObject *add_document(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 10) {
        PyErr_SetString(PyExc_TypeError, "add_document takes 10 arguments");
        return NULL;
    }
    unsigned long doc_id = PyLong_AsUnsignedLong(args[0]);
    if (doc_id == (unsigned long)-1 && PyErr_Occurred()) return NULL;
    if (doc_id > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "a document id past 32 bits");
        return NULL;
    }
    Document d = {0};
    PyObject *result = NULL;
    uint64_t *seen_pairs = NULL;
    struct { uint64_t term; long count; } *slots = NULL;
    if (read_document(args + 1, &d) < 0) goto done;
    Words w = d.words;
    size_t size = table_size(w.size);
    seen_pairs = PyMem_Calloc(size, sizeof(uint64_t));
    slots = PyMem_Calloc(size, sizeof(*slots));
    if (!seen_pairs || !slots) { PyErr_NoMemory(); goto done; }
    long length = 0;
    for (Py_ssize_t i = 0; i < w.size; i++) {
        Word *word = &w.items[i];
        uint64_t pair = i > 0 ? w.items[i - 1].low & word->tail : 0;
        if (pair && first_time(seen_pairs, size, pair) && add_to(&pair_lists, pair, (uint32_t)doc_id, 0) < 0)
            goto done;
        if (word->is_break) continue;
        long weight = i < d.record_at ? d.weights[0] : i < d.body_at ? d.weights[1] : d.weights[2];
        length += weight;
        size_t at = mix(word->term) & (size - 1);
        while (slots[at].term && slots[at].term != word->term) at = (at + 1) & (size - 1);
        slots[at].term = word->term;
        slots[at].count += weight;
    }
    for (size_t at = 0; at < size; at++)
        if (slots[at].term && add_to(&term_lists, slots[at].term, (uint32_t)doc_id, slots[at].count) < 0) goto done;
    result = PyLong_FromLong(length);
done:
    release_document(&d);
    PyMem_Free(seen_pairs);
    PyMem_Free(slots);
    return result;
}

/* The lists by number, as bytes, each freed as it is handed over; none is kept. */
static PyObject *take(Lists *lists) {
    PyObject *taken = PyDict_New();
    if (!taken) return NULL;
    for (size_t i = 0; i < lists->capacity; i++) {
        List *list = &lists->slots[i];
        if (!list->key) continue;
        PyObject *key = PyLong_FromUnsignedLongLong(list->key);
        PyObject *bytes = PyBytes_FromStringAndSize((const char *)list->bytes, list->size);
        int set = key && bytes ? PyDict_SetItem(taken, key, bytes) : -1;
        Py_XDECREF(key);
        Py_XDECREF(bytes);
        if (set < 0) {
            Py_DECREF(taken);
            return NULL;
        }
        PyMem_Free(list->bytes);
        list->bytes = NULL;
    }
    free_lists(lists);
    return taken;
}

static PyObject *take_postings(PyObject *module, PyObject *unused) {
    return take(&term_lists);
}

static PyObject *take_pairs(PyObject *module, PyObject *unused) {
    return take(&pair_lists);
}

static PyObject *start_lists(PyObject *module, PyObject *unused) {
    free_lists(&term_lists);
    free_lists(&pair_lists);
    Py_RETURN_NONE;
}

static PyObject *forget(PyObject *module, PyObject *unused) {
    forget_pieces();
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"numbered_terms", (PyCFunction)(void (*)(void))numbered_terms, METH_FASTCALL,
     "numbered_terms(read_piece, title, record_ends, doc, body, title_weight, field_weight, body_weight, limit)"},
    {"forget", forget, METH_NOARGS, "Empty the table of pieces."},
    {"add_document", (PyCFunction)(void (*)(void))add_document, METH_FASTCALL,
     "add_document(doc_id, read_piece, title, record_ends, doc, body, title_weight, field_weight, body_weight, "
     "limit)"},
    {"take_postings", take_postings, METH_NOARGS, "The terms' postings by number, as bytes; none is kept."},
    {"take_pairs", take_pairs, METH_NOARGS, "The pairs' documents by number, as bytes; none is kept."},
    {"start_lists", start_lists, METH_NOARGS, "Forget every list: a clean build starts."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_analysis", NULL, -1, methods};

PyMODINIT_FUNC PyInit__analysis(void) {
    SIXTY_FOUR = PyLong_FromLong(64);
    if (!SIXTY_FOUR) return NULL;
    PyObject *os = PyImport_ImportModule("os");
    PyObject *random = os ? PyObject_CallMethod(os, "urandom", "i", (int)sizeof(seed)) : NULL;
    Py_XDECREF(os);
    if (!random) return NULL;
    memcpy(&seed, PyBytes_AS_STRING(random), sizeof(seed));
    Py_DECREF(random);
    return PyModule_Create(&module);
}
