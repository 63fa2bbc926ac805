import { readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import ejs from 'ejs';

type Locals = Record<string, unknown>;
type Template = (locals: Locals) => string;

/**
 * Renders the EJS views, with includes that share their page's locals
 * instead of copying them.
 *
 * EJS copies every local into a fresh object for each template it runs:
 * for each include three times over (the page's locals, then its own
 * options, then the copy again). A page's locals are some forty helpers and
 * values, so a page with a dozen includes (a cart, a workspace form) made
 * some hundred such objects, the largest single source of garbage in a
 * profile of the cart page. Here a page's locals are copied once, into an
 * object with no prototype as EJS makes them (nothing on Object.prototype
 * is visible to a template), and an include sees them through its own
 * object whose prototype they are, holding only what the include passes.
 * A template that assigns to a name writes its own object, never its
 * page's, as with EJS's copies.
 *
 * Includes name their file from views/ (`include('/reviews/_stars')`) or
 * relative to the including file, with `.ejs` added when no extension is
 * given, as EJS resolves them.
 */
export class Views {
  private readonly templates = new Map<string, Template>();
  private readonly paths = new Map<string, string>();

  constructor(
    private readonly root: string,
    /** Keep compiled templates (production); otherwise each render reads its files again, so edits show at once. */
    private readonly keep: boolean,
  ) {}

  render(file: string, data: object): string {
    return this.run(file, Object.assign(Object.create(null) as Locals, data));
  }

  private run(file: string, locals: Locals): string {
    // Found before the function's own `include` parameter: templates run inside `with (locals)`.
    locals.include = (path: string, extra?: object) => {
      const own = Object.create(locals) as Locals;
      if (extra) Object.assign(own, extra);
      return this.run(this.resolveInclude(path, file), own);
    };
    return this.template(file)(locals);
  }

  private template(file: string): Template {
    let template = this.keep ? this.templates.get(file) : undefined;
    if (!template) {
      // The locals given are already this render's own object (see `render`): EJS need not copy them again
      // (EJS 7's option, which its typings do not list yet).
      const options = { filename: file, unsafePrototypeLocals: true };
      template = ejs.compile(readFileSync(file, 'utf8'), options) as Template;
      if (this.keep) this.templates.set(file, template);
    }
    return template;
  }

  private resolveInclude(path: string, from: string): string {
    const key = path.startsWith('/') ? path : `${from}\0${path}`;
    let file = this.paths.get(key);
    if (!file) {
      const base = path.startsWith('/') ? join(this.root, path) : resolve(dirname(from), path);
      file = extname(base) ? base : `${base}.ejs`;
      this.paths.set(key, file);
    }
    return file;
  }
}
