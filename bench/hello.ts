import express from 'express';

/**
 * The baseline: a bare Express app answering "Hello world" on PORT.
 * The benchmark measures it in the same run as Filiera, on the same
 * machine and load, and reports every scenario as a ratio to it.
 */
const app = express();
app.disable('x-powered-by');
app.get('/', (_req, res) => {
  res.send('Hello world');
});
const port = Number(process.env.PORT);
app.listen(port, '127.0.0.1');
