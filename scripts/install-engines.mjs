#!/usr/bin/env node
// Builds the two local engines Filiera runs on a machine without MongoDB or
// Stripe: FerretDB (MongoDB wire protocol over SQLite) and stripe-mock.
// Runs as the project's own `postinstall`; it never fails the install.
//
// FerretDB is not built with a plain `go install …@v1.24.2`: its binary
// panics at start unless build/version/version.txt holds the version, a file
// that only its own release tooling writes. So we download the module at the
// pinned version through the Go module proxy, copy it, write that one file and
// `go build` it. stripe-mock needs nothing special and uses `go install`.
//
// FerretDB is changed in six ways before the build (FERRETDB_PATCHES below).
//
// 1. Its SQLite backend looks documents up by `_id` with the expression
// `_ferretdb_sjson->'$._id'`, while the unique index on `_id` is built on
// `_ferretdb_sjson->"_id"`. SQLite only uses an expression index for the same
// expression, so every find, update and delete by `_id` read the whole
// table (EXPLAIN QUERY PLAN: SCAN instead of SEARCH … USING INDEX). Both
// expressions select the same value, so the patch changes no result, only
// the plan. A second change pushes every top-level equality on a string or
// ObjectID down to SQLite, not only a filter whose one key is `_id`:
// `{ _id, onHand: { $gte: 2 } }` uses the `_id` index, and `{ order: id }`
// is answered by SQLite comparing one JSON field per row instead of
// FerretDB decoding every document in Go (a 1,000-order money run took 29
// minutes before, 4.4 after). A row whose field is an array is kept (MongoDB
// equality searches arrays); the handler still checks the whole filter on
// what comes back and pushes a limit down only for an empty filter, so
// results are the same.
//
// 2. Upstream FerretDB 1.24 applies `update`, `findAndModify` and `delete`
// as read, change in memory, write back by `_id`, with nothing stopping a
// second writer in between (FerretDB issue #3040): 200 concurrent guarded
// `$inc` on 50 units all "succeed". MongoDB makes each single-document
// write atomic, and our stock, balances and states rely on that. The patch
// runs those three commands one at a time per document inside the handler:
// a command whose filter names one `_id` locks that document (one of 256
// stripes) and shares the collection; any other has the collection to
// itself. That is enough because only one FerretDB process owns an embedded
// data directory. A first version locked whole collections: every session
// touch queued behind every other, and place-100/s went from p99 1.5 s to
// 4.7 s; per document it measured p99 96 ms in the same conditions. test/platform/engine.conformance
// proves the guarantee on every `npm test`.
//
// 3. The pushdown of (1) asks SQLite for "field = value OR the field is an
// array" (MongoDB's equality also matches an element of an array), which no
// index answers, so `{ coop: id }` still read every row of the table (a
// 10,000-product co-op workspace page took about a second). An index on a
// top-level field now gets a twin on the field's JSON type, and SQLite answers
// the OR with two index lookups (MULTI-INDEX OR; FerretDB never runs ANALYZE,
// which could talk the planner out of it). `{ field: { $in: [...] } }` with
// strings or ObjectIDs is pushed down the same way, `_id` lists included. The
// conformance tests hold the results to MongoDB's and time the lookups.
//
// 4. A write with `w: 0` is sent flagged moreToCome: the client reads no
// reply, and MongoDB sends none. FerretDB 1.24 replied to every message, so
// that reply waited on the socket and the next command on the connection
// read it as its own, then each command after it the reply of the one
// before: a session read could be answered with another visitor's session.
// connect-mongo's sweeper deletes expired sessions with `w: 0` every ten
// minutes; a 30-minute soak failed a page read exactly every 600 s (`BSON
// element "cursor" is missing`). The patch sends no reply to such a message;
// the conformance test writes with `w: 0` on one connection and checks that
// every later command gets its own answer.
//
// 5. FerretDB tracks the lifetime of every iterator it makes (one per
// document and array it decodes, among others) to find leaks in its own
// tests: a stack captured into a pprof profile and a finalizer that panics
// if the iterator was never closed. That ran in release builds too. Off
// outside debug builds, a workspace goods query (ten product documents)
// answered about 15% more often in the same CPU.
//
// 6. Every find, aggregate, count and explain asks its SQLite backend for the
// collection's settings by name (is it capped?). The backend answered by
// deep-copying the settings and index lists of every collection in the
// database, sorting the copies and then searching them for the one name:
// 9% of the engine's CPU on a co-op member's workspace page, where each
// page is a handful of small finds. It now copies the one collection asked
// for. A database or collection that does not exist still gives an empty
// list; the conformance tests check both.
//
// Each built engine records what it was built from in a stamp
// file; a binary without the current stamp is built again.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, '.engines', 'bin');
const FERRETDB_VERSION = 'v1.24.2';
const STRIPE_MOCK_VERSION = 'v0.203.0';

/** Exact source replacements (each matching once) and new files applied to FerretDB before building; the build stops if one no longer applies. */
const FERRETDB_PATCHES = [
  {
    file: 'internal/handler/msg_update.go',
    from: `func (h *Handler) updateDocument(ctx context.Context, params *common.UpdateParams) (int32, int32, *types.Array, error) {\n`,
    to: `func (h *Handler) updateDocument(ctx context.Context, params *common.UpdateParams) (int32, int32, *types.Array, error) {\n\tvar lockFilter *types.Document\n\tif len(params.Updates) == 1 {\n\t\tlockFilter = params.Updates[0].Filter\n\t}\n\tdefer lockWrite(params.DB, params.Collection, lockFilter)()\n`,
    why: 'make each update atomic: no second writer between read and write-back',
  },
  {
    file: 'internal/handler/msg_findandmodify.go',
    from: `func (h *Handler) findAndModifyDocument(ctx context.Context, params *common.FindAndModifyParams) (*findAndModifyResult, error) {\n`,
    to: `func (h *Handler) findAndModifyDocument(ctx context.Context, params *common.FindAndModifyParams) (*findAndModifyResult, error) {\n\tdefer lockWrite(params.DB, params.Collection, params.Query)()\n`,
    why: 'make each findAndModify atomic',
  },
  {
    file: 'internal/handler/msg_delete.go',
    from: `\tvar deleted int32\n\twriteErrors := types.MakeArray(0)\n`,
    to: `\tvar lockFilter *types.Document\n\tif len(params.Deletes) == 1 {\n\t\tlockFilter = params.Deletes[0].Filter\n\t}\n\tdefer lockWrite(params.DB, params.Collection, lockFilter)()\n\n\tvar deleted int32\n\twriteErrors := types.MakeArray(0)\n`,
    why: 'a filtered delete matches and removes what an update is not changing meanwhile',
  },
  {
    file: 'internal/handler/collection_lock.go',
    create: `// Added by Filiera's install-engines.mjs: the read-modify-write commands
// (update, findAndModify, delete) run one at a time per document, so that each
// single-document write is atomic as on MongoDB. A command whose one filter
// names a single _id locks that document (a stripe of a fixed table) and
// shares its collection; any other command has the collection to itself.

package handler

import (
\t"fmt"
\t"hash/fnv"
\t"sync"

\t"github.com/FerretDB/FerretDB/internal/types"
)

const writeStripes = 256

type collectionWriteLock struct {
\tall     sync.RWMutex
\tstripes [writeStripes]sync.Mutex
}

var collectionLocks sync.Map

func lockWrite(db, collection string, filter *types.Document) func() {
\tv, _ := collectionLocks.LoadOrStore(db+"."+collection, new(collectionWriteLock))
\tl := v.(*collectionWriteLock)

\tif filter != nil {
\t\tif id, err := filter.Get("_id"); err == nil {
\t\t\tswitch id.(type) {
\t\t\tcase string, types.ObjectID:
\t\t\t\th := fnv.New32a()
\t\t\t\t_, _ = h.Write([]byte(fmt.Sprintf("%T:%v", id, id)))
\t\t\t\tmu := &l.stripes[h.Sum32()%writeStripes]

\t\t\t\tl.all.RLock()
\t\t\t\tmu.Lock()

\t\t\t\treturn func() {
\t\t\t\t\tmu.Unlock()
\t\t\t\t\tl.all.RUnlock()
\t\t\t\t}
\t\t\t}
\t\t}
\t}

\tl.all.Lock()

\treturn l.all.Unlock
}
`,
    why: 'the per-document (or per-collection) locks the three patches above take',
  },
  {
    file: 'internal/backends/sqlite/collection.go',
    from: `\tif params.Filter.Len() == 1 {\n\t\tv, _ := params.Filter.Get("_id")\n\t\tswitch v.(type) {\n\t\tcase string, types.ObjectID:\n\t\t\twhereClause = fmt.Sprintf(\` WHERE %s = ?\`, metadata.IDColumn)\n\t\t\targs = []any{string(must.NotFail(sjson.MarshalSingleValue(v)))}\n\t\t}\n\t}\n`,
    to: `\twhereClause, args = filiera_equalityWhere(params.Filter)\n`,
    why: 'equality on _id and on other top-level fields is answered by SQLite, not by decoding every document in Go',
  },
  {
    file: 'internal/backends/sqlite/filiera_where.go',
    create: `// Added by Filiera's install-engines.mjs: push equality filters down to SQLite.

package sqlite

import (
\t"fmt"
\t"regexp"
\t"strings"

\t"github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata"
\t"github.com/FerretDB/FerretDB/internal/handler/sjson"
\t"github.com/FerretDB/FerretDB/internal/types"
\t"github.com/FerretDB/FerretDB/internal/util/must"
)

var filieraPlainKey = regexp.MustCompile(\`^[A-Za-z_][A-Za-z0-9_]*$\`)

// filiera_equalityWhere turns each top-level equality on a string or ObjectID
// into an SQL condition, so SQLite skips the rows that cannot match instead of
// FerretDB decoding every document. It only ever narrows to a superset of the
// matches: the handler still applies the whole filter to what comes back, and
// a field holding an array (which MongoDB's equality searches) is kept.
func filiera_equalityWhere(filter *types.Document) (string, []any) {
\tvar conds []string
\tvar args []any

\tfor _, k := range filter.Keys() {
\t\tif !filieraPlainKey.MatchString(k) {
\t\t\tcontinue
\t\t}

\t\tv, _ := filter.Get(k)

\t\t// The values the field may equal: one (an equality) or a list ({ $in: [...] }),
\t\t// each a string or an ObjectID; anything else is left to the handler.
\t\tvar vals []any

\t\tswitch v := v.(type) {
\t\tcase string, types.ObjectID:
\t\t\tvals = []any{v}
\t\tcase *types.Document:
\t\t\tvals = filieraInList(v)
\t\t}

\t\tif vals == nil {
\t\t\tcontinue
\t\t}

\t\t// { $in: [] } matches nothing, arrays included.
\t\tif len(vals) == 0 {
\t\t\tconds = append(conds, "0")

\t\t\tcontinue
\t\t}

\t\tmarks := make([]string, len(vals))
\t\tfor i, one := range vals {
\t\t\tmarks[i] = "?"
\t\t\targs = append(args, string(must.NotFail(sjson.MarshalSingleValue(one))))
\t\t}

\t\tin := "(" + strings.Join(marks, ", ") + ")"

\t\tif k == "_id" {
\t\t\tconds = append(conds, fmt.Sprintf(\`%s IN %s\`, metadata.IDColumn, in))

\t\t\tcontinue
\t\t}

\t\tcol := fmt.Sprintf(\`%s->'%s'\`, metadata.DefaultColumn, k)
\t\tconds = append(conds, fmt.Sprintf(\`(%s IN %s OR json_type(%s) = 'array')\`, col, in, col))
\t}

\tif len(conds) == 0 {
\t\treturn "", nil
\t}

\treturn " WHERE " + strings.Join(conds, " AND "), args
}

// filieraInList returns the values of { $in: [...] } when that is the whole
// document and every value is a string or an ObjectID; nil otherwise.
func filieraInList(d *types.Document) []any {
\tif d.Len() != 1 {
\t\treturn nil
\t}

\tv, err := d.Get("$in")
\tif err != nil {
\t\treturn nil
\t}

\tarr, ok := v.(*types.Array)
\tif !ok {
\t\treturn nil
\t}

\tvals := make([]any, 0, arr.Len())

\tfor i := 0; i < arr.Len(); i++ {
\t\tone := must.NotFail(arr.Get(i))

\t\tswitch one.(type) {
\t\tcase string, types.ObjectID:
\t\t\tvals = append(vals, one)
\t\tdefault:
\t\t\treturn nil
\t\t}
\t}

\treturn vals
}
`,
    why: 'the helper the collection.go patch calls',
  },
  {
    file: 'internal/backends/sqlite/metadata/registry.go',
    from: `\t\tif slices.ContainsFunc(c.Settings.Indexes, func(i IndexInfo) bool { return index.Name == i.Name }) {\n\t\t\tcontinue\n\t\t}\n`,
    to: `\t\tif slices.ContainsFunc(c.Settings.Indexes, func(i IndexInfo) bool { return index.Name == i.Name }) {\n\t\t\tif err := filieraTypeIndex(ctx, db, c.TableName, index); err != nil {\n\t\t\t\treturn lazyerrors.Error(err)\n\t\t\t}\n\n\t\t\tcontinue\n\t\t}\n`,
    why: 'an index made before this build gets its type index too (see filiera_index.go)',
  },
  {
    file: 'internal/backends/sqlite/metadata/registry.go',
    from: `\t\tcreated = append(created, index.Name)\n`,
    to: `\t\tcreated = append(created, index.Name)\n\n\t\tif err := filieraTypeIndex(ctx, db, c.TableName, index); err != nil {\n\t\t\t_ = r.indexesDrop(ctx, dbName, collectionName, created)\n\t\t\treturn lazyerrors.Error(err)\n\t\t}\n`,
    why: 'a new index on a top-level field gets its type index (see filiera_index.go)',
  },
  {
    file: 'internal/backends/sqlite/metadata/filiera_index.go',
    create: `// Added by Filiera's install-engines.mjs: let equality filters use an index.

package metadata

import (
\t"context"
\t"fmt"
\t"strings"

\t"github.com/FerretDB/FerretDB/internal/util/fsql"
)

// filieraTypeIndex adds, beside an index whose first key is a top-level field,
// an index on that field's JSON type. The equality pushdown (filiera_where.go)
// asks for "field = value OR the field is an array" (MongoDB's equality also
// matches an element of an array); with both expressions indexed SQLite answers
// it with two index lookups (MULTI-INDEX OR) instead of reading every row.
func filieraTypeIndex(ctx context.Context, db *fsql.DB, table string, index IndexInfo) error {
\tif len(index.Key) == 0 {
\t\treturn nil
\t}

\tfield := index.Key[0].Field
\tif field == "_id" || strings.Contains(field, ".") {
\t\treturn nil
\t}

\tq := fmt.Sprintf(
\t\t"CREATE INDEX IF NOT EXISTS %q ON %q (json_type(%s->%q))",
\t\ttable+"_"+field+"_filiera_type", table, DefaultColumn, field,
\t)
\t_, err := db.ExecContext(ctx, q)

\treturn err
}
`,
    why: 'the helper the two registry.go patches call',
  },
  {
    file: 'internal/clientconn/conn.go',
    from: `\t\tif err = wire.WriteMessage(bufw, resHeader, resBody); err != nil {\n`,
    to: `\t\t// Added by Filiera: a message flagged moreToCome (an unacknowledged, w: 0 write) gets no reply, as on MongoDB.\n\t\t// The client reads none, so a reply sent anyway was read by the next command on the connection as its own.\n\t\tif msg, ok := reqBody.(*wire.OpMsg); ok && msg.Flags.FlagSet(wire.OpMsgMoreToCome) {\n\t\t\tif resCloseConn {\n\t\t\t\terr = errors.New("fatal error")\n\t\t\t\treturn\n\t\t\t}\n\n\t\t\tcontinue\n\t\t}\n\n\t\tif err = wire.WriteMessage(bufw, resHeader, resBody); err != nil {\n`,
    why: 'no reply to an unacknowledged write, so every later command on the connection gets its own',
  },
  {
    file: 'internal/util/resource/resource.go',
    from: `func Track(obj any, token *Token) {\n\tcheckArgs(obj, token)\n`,
    to: `func Track(obj any, token *Token) {\n\t// Added by Filiera: lifetime tracking is a debugging aid; off outside debug builds.\n\tif !debugbuild.Enabled {\n\t\treturn\n\t}\n\n\tcheckArgs(obj, token)\n`,
    why: 'no stack capture and finalizer for every document iterator outside debug builds',
  },
  {
    file: 'internal/util/resource/resource.go',
    from: `func Untrack(obj any, token *Token) {\n\tcheckArgs(obj, token)\n`,
    to: `func Untrack(obj any, token *Token) {\n\tif !debugbuild.Enabled {\n\t\treturn\n\t}\n\n\tcheckArgs(obj, token)\n`,
    why: 'the other half of the change above',
  },
  {
    file: 'internal/backends/sqlite/database.go',
    from: `func (db *database) ListCollections(ctx context.Context, params *backends.ListCollectionsParams) (*backends.ListCollectionsResult, error) {\n\tlist, err := db.r.CollectionList(ctx, db.name)\n`,
    to: `func (db *database) ListCollections(ctx context.Context, params *backends.ListCollectionsParams) (*backends.ListCollectionsResult, error) {\n\t// Added by Filiera: one collection asked for by name (every find asks for its own) is copied alone,\n\t// not found in a sorted copy of every collection of the database.\n\tif params != nil && len(params.Name) > 0 {\n\t\tres := make([]backends.CollectionInfo, 0, 1)\n\t\tif db.r.DatabaseGetExisting(ctx, db.name) != nil {\n\t\t\tif c := db.r.CollectionGet(ctx, db.name, params.Name); c != nil {\n\t\t\t\tres = append(res, backends.CollectionInfo{\n\t\t\t\t\tName:            c.Name,\n\t\t\t\t\tUUID:            c.Settings.UUID,\n\t\t\t\t\tCappedSize:      c.Settings.CappedSize,\n\t\t\t\t\tCappedDocuments: c.Settings.CappedDocuments,\n\t\t\t\t})\n\t\t\t}\n\t\t}\n\n\t\treturn &backends.ListCollectionsResult{Collections: res}, nil\n\t}\n\n\tlist, err := db.r.CollectionList(ctx, db.name)\n`,
    why: 'look up the one collection a find asks about instead of copying and sorting all of them',
  },
  {
    file: 'internal/backends/sqlite/metadata/metadata.go',
    from: `IDColumn = DefaultColumn + "->'$._id'"`,
    to: `IDColumn = DefaultColumn + "->'_id'"`,
    why: 'look up _id through the unique index (same value, indexed expression)',
  },
];
const FERRETDB_BUILD = `${FERRETDB_VERSION}+id-index+atomic-writes-by-document+equality-pushdown+in-lists+type-index+no-reply-to-w0+no-resource-tracking+one-collection-lookup`;

const log = (msg) => console.log(`[engines] ${msg}`);

function hasGo() {
  const r = spawnSync('go', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function output(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

function makeWritable(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    chmodSync(p, st.mode | 0o200);
    if (st.isDirectory()) makeWritable(p);
  }
}

function buildFerretDb(target) {
  const info = JSON.parse(output('go', ['mod', 'download', '-json', `github.com/FerretDB/FerretDB@${FERRETDB_VERSION}`]));
  const work = mkdtempSync(join(tmpdir(), 'filiera-ferretdb-'));
  try {
    cpSync(info.Dir, work, { recursive: true });
    chmodSync(work, 0o755);
    makeWritable(work);
    writeFileSync(join(work, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    for (const p of FERRETDB_PATCHES) {
      const file = join(work, p.file);
      if (p.create !== undefined) {
        if (existsSync(file)) throw new Error(`FerretDB patch would overwrite ${p.file} (${p.why})`);
        writeFileSync(file, p.create);
        continue;
      }
      const source = readFileSync(file, 'utf8');
      if (source.split(p.from).length !== 2) throw new Error(`FerretDB patch no longer applies once to ${p.file} (${p.why})`);
      writeFileSync(file, source.replace(p.from, p.to));
    }
    run('go', ['build', '-trimpath', '-o', target, './cmd/ferretdb'], { cwd: work });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function buildStripeMock() {
  run('go', ['install', `github.com/stripe/stripe-mock@${STRIPE_MOCK_VERSION}`], {
    env: { ...process.env, GOBIN: BIN },
  });
}

const engines = [
  { name: 'FerretDB', version: FERRETDB_BUILD, file: 'ferretdb', build: () => buildFerretDb(join(BIN, 'ferretdb')) },
  { name: 'stripe-mock', version: STRIPE_MOCK_VERSION, file: 'stripe-mock', build: buildStripeMock },
];

/** Where a built engine records the version (and patches) it was built from. */
const stampOf = (e) => join(BIN, `${e.file}.build`);
const isCurrent = (e) => existsSync(join(BIN, e.file)) && existsSync(stampOf(e)) && readFileSync(stampOf(e), 'utf8').trim() === e.version;

function main() {
  if (process.env.FILIERA_SKIP_ENGINES === '1') {
    log('FILIERA_SKIP_ENGINES=1: not building the local engines.');
    return;
  }
  const missing = engines.filter((e) => !isCurrent(e));
  if (missing.length === 0) {
    log(`FerretDB ${FERRETDB_BUILD} and stripe-mock ${STRIPE_MOCK_VERSION} already built in .engines/bin.`);
    return;
  }
  const go = hasGo();
  if (!go) {
    log(`Go is not installed, so these were not built: ${missing.map((e) => e.name).join(', ')}.`);
    log('Filiera still installs. To run it, either install Go (https://go.dev/dl) and run `npm run engines`,');
    log('or install MongoDB (mongod on PATH or MONGOD_BIN), or set MONGODB_URI to a MongoDB you have.');
    log('Tests also need stripe-mock: install Go, or put a stripe-mock release binary in .engines/bin.');
    return;
  }
  mkdirSync(BIN, { recursive: true });
  for (const e of missing) {
    const started = Date.now();
    log(`building ${e.name} ${e.version} with ${go} into .engines/bin …`);
    try {
      e.build();
      writeFileSync(stampOf(e), `${e.version}\n`);
      log(`${e.name} ${e.version} built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    } catch (err) {
      log(`could not build ${e.name}: ${err.message}`);
      log('The install goes on; run `npm run engines` again once the cause is fixed.');
      process.exitCode = 0;
    }
  }
}

main();
