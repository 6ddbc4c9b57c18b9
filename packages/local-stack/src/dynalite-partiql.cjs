'use strict';
/**
 * dynalite with PartiQL `BatchExecuteStatement` for INSERT statements: the one PartiQL call tally makes.
 *
 * Ingestion stores events with `INSERT INTO "<table>" VALUE {'a': ?, 'b': ?, ...}` batches of up to 25
 * (a conditional write per statement: an INSERT of an existing key fails that statement with `DuplicateItem`;
 * the others still land). dynalite has no PartiQL, so this module answers that operation and hands every
 * other request to dynalite untouched.
 *
 * Each statement runs as dynalite's own PutItem on condition that the hash key does not exist, through dynalite's
 * validation (types, key schema, item size) and its per-key lock, so the emulator keeps DynamoDB's write
 * semantics. What it answers, as DynamoDB documents it (API_BatchExecuteStatement, API_BatchStatementError):
 * - a `Responses` entry per statement, in order, `{ TableName }` or `{ TableName, Error: { Code, Message } }`;
 *   `Code` is `DuplicateItem` for an existing key and `ValidationError` for an invalid item; a refused
 *   statement that asked for `ReturnValuesOnConditionCheckFailure: ALL_OLD` gets the stored item as
 *   `Error.Item`;
 * - `ConsumedCapacity` (one entry for the table, the sum of the statements' write units) when asked;
 * - a `ValidationException` for the whole request when it is malformed: no statements or more than 25, a
 *   statement this subset does not parse, a parameter count that does not match, a
 *   `ReturnValuesOnConditionCheckFailure` other than ALL_OLD or NONE, or (stricter than needed,
 *   so a caller's regression shows) two statements for the same key.
 *
 * Only this subset is supported: INSERT with a VALUE of `'name': ?` pairs, one table per statement. Anything
 * else is refused with a ValidationException that says so.
 *
 * It also keeps table definitions in memory (see cacheTableDefinitions): the answers are dynalite's own.
 *
 * @param {string} dynalitePath the resolved path of dynalite's entry point
 * @param {Record<string, unknown>} settings dynalite's options
 * @returns {import('node:http').Server}
 */
module.exports = function createDynalite(dynalitePath, settings) {
  const path = require('node:path');
  const dir = path.dirname(dynalitePath);
  if (settings.path) {
    // A persisted stack: reads from memory, writes mirrored to the LevelDB folder (see mirrored-level.cjs).
    // dynalite's db module takes `Level` from `level` when it loads, so the swap comes first.
    const level = require(require.resolve('level', { paths: [dir] }));
    if (!level.Level.mirrored) {
      level.Level = require('./mirrored-level.cjs')(dir);
      level.Level.mirrored = true;
    }
  }
  const db = require(path.join(dir, 'db'));
  const validations = require(path.join(dir, 'validations'));
  const putValidation = require(path.join(dir, 'validations', 'putItem'));
  const putItem = require(path.join(dir, 'actions', 'putItem'));

  // dynalite keeps its store private: capture it while dynalite creates it.
  let store;
  const create = db.create;
  db.create = (options) => {
    store = create(options);
    return store;
  };
  let server;
  try {
    server = require(dynalitePath)(settings);
  } finally {
    db.create = create;
  }
  cacheTableDefinitions(store.tableDb);
  const [dynaliteHandler] = server.listeners('request');
  server.removeAllListeners('request');
  server.on('request', (req, res) => {
    if (req.headers['x-amz-target'] !== 'DynamoDB_20120810.BatchExecuteStatement') {
      dynaliteHandler(req, res);
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        send(res, 400, { __type: 'com.amazon.coral.service#SerializationException' });
        return;
      }
      batchExecute(body).then(
        (out) => send(res, 200, out),
        (err) =>
          err?.statusCode
            ? send(res, err.statusCode, err.body)
            : send(res, 500, {
                __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
                message: String(err?.message),
              }),
      );
    });
  });
  return server;

  function send(res, status, data) {
    const text = JSON.stringify(data);
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/x-amz-json-1.0');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  }

  function invalid(message) {
    const err = new Error(message);
    err.statusCode = 400;
    err.body = { __type: 'com.amazon.coral.validate#ValidationException', message };
    return err;
  }

  async function batchExecute(body) {
    const statements = body?.Statements;
    if (!Array.isArray(statements) || statements.length < 1 || statements.length > 25) {
      throw invalid(
        `1 validation error detected: Value at 'statements' failed to satisfy constraint: Member must have length less than or equal to 25 and greater than or equal to 1`,
      );
    }
    const parsed = statements.map((s, i) => parseInsert(s, i));
    const tables = new Map();
    for (const p of parsed) {
      if (!tables.has(p.table)) tables.set(p.table, await getTable(p.table));
    }
    const seen = new Set();
    for (const p of parsed) {
      const table = tables.get(p.table);
      const key = JSON.stringify([p.table, ...table.KeySchema.map((k) => p.item[k.AttributeName])]);
      if (seen.has(key)) {
        throw invalid('Provided list of item keys contains duplicates (the local stack refuses them)');
      }
      seen.add(key);
    }
    const results = await Promise.all(
      parsed.map((p) => insert(p, tables.get(p.table), body.ReturnConsumedCapacity)),
    );
    const out = { Responses: results.map((r) => r.response) };
    if (body.ReturnConsumedCapacity === 'TOTAL' || body.ReturnConsumedCapacity === 'INDEXES') {
      const units = new Map();
      for (const r of results) units.set(r.table, (units.get(r.table) || 0) + r.units);
      out.ConsumedCapacity = [...units].map(([TableName, CapacityUnits]) => ({ TableName, CapacityUnits }));
    }
    return out;
  }

  /** `INSERT INTO "t" VALUE {'a': ?, 'b': ?}` with its parameters → { table, item }. */
  function parseInsert(s, index) {
    const where = `statement ${index}`;
    if (!s || typeof s.Statement !== 'string') throw invalid(`${where}: Statement is required`);
    const m = /^\s*INSERT\s+INTO\s+"([^"]+)"\s+VALUE\s+\{(.*)\}\s*;?\s*$/is.exec(s.Statement);
    if (!m) {
      throw invalid(
        `${where}: the local stack runs only INSERT INTO "<table>" VALUE {'name': ?, ...} in BatchExecuteStatement`,
      );
    }
    const params = s.Parameters || [];
    const item = {};
    const pairs = m[2].trim() === '' ? [] : m[2].split(',');
    if (pairs.length !== params.length) {
      throw invalid(`${where}: ${pairs.length} placeholders but ${params.length} parameters`);
    }
    pairs.forEach((pair, i) => {
      const pm = /^\s*'([^']+)'\s*:\s*\?\s*$/.exec(pair);
      if (!pm) throw invalid(`${where}: the local stack supports only 'name': ? pairs, not "${pair.trim()}"`);
      item[pm[1]] = params[i];
    });
    const returnOld = s.ReturnValuesOnConditionCheckFailure;
    if (returnOld !== undefined && returnOld !== 'ALL_OLD' && returnOld !== 'NONE') {
      throw invalid(
        `${where}: ReturnValuesOnConditionCheckFailure must be ALL_OLD or NONE, not "${returnOld}"`,
      );
    }
    return { table: m[1], item, returnOld };
  }

  function getTable(name) {
    return new Promise((resolve, reject) =>
      store.getTable(name, (err, table) => {
        if (!err) return resolve(table);
        if (err.name === 'NotFoundError') {
          const e = new Error('not found');
          e.statusCode = 400;
          e.body = {
            __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
            message: 'Requested resource not found',
          };
          return reject(e);
        }
        reject(err);
      }),
    );
  }

  /** One statement as dynalite's PutItem with attribute_not_exists on the hash key. */
  function insert(p, table, returnCapacity) {
    const hashKey = table.KeySchema.find((k) => k.KeyType === 'HASH').AttributeName;
    let data = {
      TableName: p.table,
      Item: p.item,
      // attribute_not_exists(<hash key>), in the legacy form: dynalite parses a ConditionExpression's grammar
      // on every request, which doubled the emulator's cost per statement.
      Expected: { [hashKey]: { Exists: false } },
      ...(returnCapacity ? { ReturnConsumedCapacity: 'TOTAL' } : {}),
    };
    const failed = (Code, Message) => ({
      table: p.table,
      units: 0,
      response: { TableName: p.table, Error: { Code, Message } },
    });
    try {
      data = validations.checkTypes(data, putValidation.types);
      validations.checkValidations(data, putValidation.types, putValidation.custom, store);
    } catch (err) {
      if (err.statusCode)
        return Promise.resolve(failed('ValidationError', err.body.message || err.body.Message));
      throw err;
    }
    return new Promise((resolve, reject) =>
      putItem(store, data, (err, out) => {
        if (!err) {
          const units = out.ConsumedCapacity?.CapacityUnits || 0;
          return resolve({ table: p.table, units, response: { TableName: p.table } });
        }
        if (!err.statusCode) return reject(err);
        if (/ConditionalCheckFailed/.test(err.body.__type)) {
          const refused = failed('DuplicateItem', 'Duplicate primary key exists in table');
          if (p.returnOld !== 'ALL_OLD') return resolve(refused);
          // As DynamoDB answers ReturnValuesOnConditionCheckFailure ALL_OLD: the stored item with the error.
          return store.getItemDb(p.table).get(db.createKey(p.item, table), (readErr, stored) => {
            if (readErr && readErr.name !== 'NotFoundError') return reject(readErr);
            if (stored) refused.response.Error.Item = stored;
            resolve(refused);
          });
        }
        resolve(failed('ValidationError', err.body.message || err.body.Message));
      }),
    );
  }
};

/**
 * dynalite reads a table's definition from LevelDB on every request (and once more per INSERT statement
 * here): a quarter of its CPU in a demo run. This keeps each definition's JSON text after the first read and
 * answers later reads from it (a fresh object per read, as LevelDB gives, since table actions mutate what they
 * read before writing it back). Every write or delete of a definition drops its entry, at the write's start
 * and again when the write lands, and a read that overlapped a write is not kept, so no read after a write
 * sees the old definition.
 *
 * @param {{ get: Function, put: Function, del: Function }} tableDb dynalite's sublevel of table definitions
 */
function cacheTableDefinitions(tableDb) {
  const cache = new Map();
  const writes = new Map();
  const written = (key) => {
    writes.set(key, (writes.get(key) || 0) + 1);
    cache.delete(key);
  };
  const get = tableDb.get.bind(tableDb);
  const put = tableDb.put.bind(tableDb);
  const del = tableDb.del.bind(tableDb);
  // dynalite's sublevels take `get(key, callback)` (or return a promise without one).
  tableDb.get = (key, cb) => {
    if (typeof cb !== 'function') return get(key);
    const text = cache.get(key);
    if (text !== undefined) {
      const value = JSON.parse(text);
      process.nextTick(cb, null, value);
      return undefined;
    }
    const before = writes.get(key) || 0;
    return get(key, (err, value) => {
      if (!err && value && typeof value === 'object' && (writes.get(key) || 0) === before) {
        cache.set(key, JSON.stringify(value));
      }
      cb(err, value);
    });
  };
  const writing =
    (write) =>
    (key, ...args) => {
      written(key);
      const last = args.length - 1;
      if (typeof args[last] === 'function') {
        const cb = args[last];
        args[last] = (...out) => {
          written(key);
          cb(...out);
        };
        return write(key, ...args);
      }
      return Promise.resolve(write(key, ...args)).finally(() => written(key));
    };
  tableDb.put = writing(put);
  tableDb.del = writing(del);
}
