#!/usr/bin/env node
// Writes the lean starts: for svstat, svok and svc, dist/cli/lean-PROGRAM.cjs, one plain script
// holding only the top-level declarations its entry (src/cli/lean/PROGRAM.ts) reaches, hoisted
// into one scope (no module table, no vm, no code cache). The native launcher runs it in place of
// dist/cli/launch.cjs when it is there. A start bundle (scripts/bundle.cjs) carries whole modules
// and, at some 40 KB, needs its code cache, whose read and check cost about as much as they save;
// a script of a few KB costs V8 less to parse than that cache costs to read.
//
// The declarations reached are found with TypeScript's checker (an identifier's symbol, an import
// followed to what it names), so renaming is by symbol, never by text: a top-level name two
// modules share, or that a kept function uses for a local, gets a suffix. Modules are laid out in
// the order Node would run them (each after what it imports), their statements in source order.
// A relative require() left in kept code (a module loaded only on a rare path) is rewritten to
// the compiled module's path from dist/cli, and __dirname to the compiled module's directory, worked
// out from the script's own (a start bundle's loader hands it dist/cli's). Kept code must not use
// __filename, nor a top-level statement that is not a declaration outside the entry: the script
// fails to build.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const src = path.join(root, 'src');
const cli = path.join(root, 'dist', 'cli');
const PROGRAMS = ['svstat', 'svok', 'svc'];

/** TypeScript's program over `entries`, with tsconfig.build.json's options. */
function programFor(entries) {
  const ts = require('typescript');
  const fail = (d) => {
    throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  };
  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: fail });
  return { ts, program: ts.createProgram(entries, { ...config.options, rootDir: undefined, noEmit: true }) };
}

/** The top-level statement of a source file that holds `node`; undefined for a node in no such file. */
function topOf(ts, node) {
  while (node && node.parent && !ts.isSourceFile(node.parent)) node = node.parent;
  return node && node.parent && ts.isSourceFile(node.parent) ? node : undefined;
}

function isTypeOnly(ts, statement) {
  return ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || (ts.isModuleDeclaration(statement) && statement.flags & ts.NodeFlags.Ambient) || statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword);
}

function isDeclaration(ts, statement) {
  return ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isVariableStatement(statement) || ts.isEnumDeclaration(statement) || isTypeOnly(ts, statement);
}

/** The names a top-level declaration binds. */
function boundNames(ts, statement) {
  const names = [];
  const bind = (name) => {
    if (ts.isIdentifier(name)) names.push(name);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  if (ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) bind(d.name);
  else if (statement.name && ts.isIdentifier(statement.name)) names.push(statement.name);
  return names;
}

/**
 * The lean script for `entryFile`, a file of `program` under `srcDir`, to be written to
 * `outDir` (its relative requires are rewritten for there; `distDir` mirrors `srcDir` compiled).
 */
function leanScript(program, ts, entryFile, { srcDir = src, distDir = path.join(root, 'dist'), outDir = cli } = {}) {
  const inSrc = (file) => file.fileName.startsWith(srcDir + '/') && !file.isDeclarationFile;
  const checker = program.getTypeChecker();
  const entry = program.getSourceFile(entryFile);
  if (!entry) throw new Error(`lean: no ${entryFile}`);
  // What each identifier in kept code refers to, found as the statements are walked.
  const refersTo = new Map(); // identifier -> top-level declaration name node it names
  const locals = new Set(); // the names kept code binds below the top level
  const kept = new Set();
  const queue = [];
  const keep = (statement) => {
    if (kept.has(statement)) return;
    kept.add(statement);
    queue.push(statement);
  };
  // The names imported from Node's own modules: one binding each, required at the top.
  const externals = new Map(); // "module\0name" -> { module, imported, name: text wanted }
  const external = (symbol) => {
    const decl = symbol.declarations?.[0];
    if (!decl || !(ts.isImportSpecifier(decl) || ts.isNamespaceImport(decl)) || !inSrc(decl.getSourceFile())) return undefined;
    const statement = topOf(ts, decl);
    const spec = statement.moduleSpecifier.text;
    if (spec.startsWith('.')) return undefined;
    const imported = ts.isNamespaceImport(decl) ? '*' : (decl.propertyName ?? decl.name).text;
    const key = `${spec}\0${imported}`;
    if (!externals.has(key)) externals.set(key, { module: spec, imported, name: { text: decl.name.text } });
    return externals.get(key);
  };
  const target = (symbol) => {
    if (!symbol) return undefined;
    if (symbol.flags & ts.SymbolFlags.Alias) {
      const ext = external(symbol);
      if (ext) return { external: ext, name: ext.name };
      symbol = checker.getAliasedSymbol(symbol);
    }
    const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!decl) return undefined;
    const file = decl.getSourceFile();
    if (!inSrc(file)) return undefined;
    const top = topOf(ts, decl);
    if (!top || ts.isImportDeclaration(top) || isTypeOnly(ts, top)) return undefined;
    const name = boundNames(ts, top).find((n) => checker.getSymbolAtLocation(n) === symbol);
    return name ? { top, name } : undefined;
  };
  const walk = (node) => {
    if (ts.isTypeNode(node) || ts.isTypeAliasDeclaration(node) || ts.isInterfaceDeclaration(node)) return;
    if (ts.isImportDeclaration(node)) return;
    if (ts.isIdentifier(node)) {
      const parent = node.parent;
      // A property's name (x.name, { name: v }, a method) refers to no declaration here.
      if (ts.isPropertyAccessExpression(parent) && parent.name === node) return;
      if ((ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isGetAccessor(parent) || ts.isSetAccessor(parent)) && parent.name === node) return;
      const symbol = ts.isShorthandPropertyAssignment(parent) ? checker.getShorthandAssignmentValueSymbol(parent) : checker.getSymbolAtLocation(node);
      const found = target(symbol);
      if (found) {
        if (found.name !== node) refersTo.set(node, found.name);
        if (found.top) keep(found.top);
      } else if (symbol) {
        // A local (a parameter, a variable in a function): its name must stay free.
        const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
        if (decl && inSrc(decl.getSourceFile())) locals.add(node.text);
      }
      if (node.text === '__filename') throw new Error(`lean: ${entry.fileName} reaches ${node.getSourceFile().fileName}, which uses ${node.text}`);
    }
    ts.forEachChild(node, walk);
  };
  for (const statement of entry.statements) if (!ts.isImportDeclaration(statement) && !isTypeOnly(ts, statement)) keep(statement);
  while (queue.length > 0) walk(queue.shift());
  // A module's own effects would be lost with its statements that are not declarations: a module
  // with one is refused, but for its run-as-main guard (the lean script is the main module, the
  // module is not).
  const isMainGuard = (statement) => ts.isIfStatement(statement) && /^require\.main\s*===\s*module$/.test(statement.expression.getText());
  for (const file of new Set([...kept].map((statement) => statement.getSourceFile()))) {
    if (file === entry) continue;
    for (const other of file.statements) {
      if (isDeclaration(ts, other) || ts.isImportDeclaration(other) || ts.isExportDeclaration(other) || isMainGuard(other)) continue;
      throw new Error(`lean: ${file.fileName}: a top-level statement that is not a declaration (${other.getText().slice(0, 40)})`);
    }
  }

  // Files in the order Node runs them: each after the files it imports, the entry last.
  const order = [];
  const visited = new Set();
  const visit = (file) => {
    if (visited.has(file)) return;
    visited.add(file);
    for (const statement of file.statements) {
      const follows = (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) || (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly);
      if (!follows) continue;
      const symbol = checker.getSymbolAtLocation(statement.moduleSpecifier);
      const next = symbol?.valueDeclaration;
      if (next && ts.isSourceFile(next) && inSrc(next)) visit(next);
    }
    order.push(file);
  };
  visit(entry);
  const lost = [...kept].filter((statement) => !order.includes(statement.getSourceFile()));
  if (lost.length > 0) throw new Error(`lean: ${lost[0].getSourceFile().fileName} is reached but not imported`);

  // One name per kept declaration: its own, unless another kept one or a local already has it.
  const names = new Map(); // name node -> text
  const taken = new Set(locals);
  const assign = (node) => {
    let text = node.text;
    for (let n = 2; taken.has(text); n++) text = `${node.text}$${n}`;
    taken.add(text);
    names.set(node, text);
    return text;
  };
  for (const file of order) {
    for (const statement of file.statements) if (kept.has(statement)) boundNames(ts, statement).forEach((node) => assign(node));
  }

  const requires = new Map(); // module -> [imported, text]
  for (const ext of externals.values()) {
    const text = assign(ext.name);
    if (!requires.has(ext.module)) requires.set(ext.module, []);
    requires.get(ext.module).push([ext.imported, text]);
  }

  // A kept module's __dirname: its compiled directory, worked out from the script's own, so many
  // levels up (each a cut at the last slash: a directory's name ends in none) and then down.
  const dirnameOf = (f, file) => {
    const compiled = path.dirname(path.join(distDir, path.relative(srcDir, file.fileName)));
    const rel = path.relative(outDir, compiled).split(path.sep).filter(Boolean);
    const down = rel.filter((part) => part !== '..');
    const up = (levels) => {
      if (levels === 0) return f.createIdentifier('__dirname');
      const last = f.createCallExpression(f.createPropertyAccessExpression(up(levels - 1), 'lastIndexOf'), undefined, [f.createStringLiteral('/')]);
      return f.createCallExpression(f.createPropertyAccessExpression(up(levels - 1), 'slice'), undefined, [f.createNumericLiteral(0), last]);
    };
    const base = up(rel.length - down.length);
    return down.length === 0 ? base : f.createParenthesizedExpression(f.createBinaryExpression(base, ts.SyntaxKind.PlusToken, f.createStringLiteral(`/${down.join('/')}`)));
  };
  const rename = (context) => {
    const f = context.factory;
    const visit = (node) => {
      if (ts.isIdentifier(node) && node.text === '__dirname' && !refersTo.has(node) && !names.has(node)) return dirnameOf(f, node.getSourceFile());
      if (ts.isIdentifier(node)) {
        const to = names.get(refersTo.get(node) ?? node);
        return to !== undefined && to !== node.text ? f.createIdentifier(to) : node;
      }
      if (ts.isShorthandPropertyAssignment(node)) {
        const to = names.get(refersTo.get(node.name) ?? node.name);
        if (to !== undefined && to !== node.name.text) return f.createPropertyAssignment(node.name.text, f.createIdentifier(to));
      }
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require' && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]) && node.arguments[0].text.startsWith('.')) {
        const from = path.dirname(path.join(distDir, path.relative(srcDir, node.getSourceFile().fileName)));
        let to = path.relative(outDir, path.resolve(from, node.arguments[0].text));
        if (!to.startsWith('.')) to = `./${to}`;
        return f.updateCallExpression(node, node.expression, node.typeArguments, [f.createStringLiteral(to)]);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (file) => {
      const statements = [];
      for (const statement of file.statements) {
        if (!kept.has(statement)) continue;
        let out = ts.visitNode(statement, visit);
        const modifiers = ts.canHaveModifiers(out) ? ts.getModifiers(out) : undefined;
        if (modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
          const rest = modifiers.filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DefaultKeyword);
          out = ts.isFunctionDeclaration(out)
            ? f.updateFunctionDeclaration(out, rest, out.asteriskToken, out.name, out.typeParameters, out.parameters, out.type, out.body)
            : ts.isClassDeclaration(out)
              ? f.updateClassDeclaration(out, rest, out.name, out.typeParameters, out.heritageClauses, out.members)
              : ts.isVariableStatement(out)
                ? f.updateVariableStatement(out, rest, out.declarationList)
                : ts.isEnumDeclaration(out)
                  ? f.updateEnumDeclaration(out, rest, out.name, out.members)
                  : out;
        }
        statements.push(out);
      }
      return f.updateSourceFile(file, statements);
    };
  };
  const printer = ts.createPrinter({ removeComments: true });
  const parts = [];
  for (const file of order) {
    if (!file.statements.some((s) => kept.has(s))) continue;
    const [out] = ts.transform(file, [rename]).transformed;
    const text = printer.printFile(out);
    // The types go: the text is TypeScript still (parameter properties, casts).
    const js = ts.transpileModule(text, { compilerOptions: { target: program.getCompilerOptions().target, module: ts.ModuleKind.ESNext, removeComments: true, verbatimModuleSyntax: false, isolatedModules: true } }).outputText;
    parts.push(`// ${path.relative(root, file.fileName)}\n${js.replace(/^export \{\};\s*$/m, '').trim()}`);
  }
  const head = [...requires].map(([module, list]) => {
    const whole = list.find(([imported]) => imported === '*');
    const named = list.filter(([imported]) => imported !== '*').map(([imported, text]) => (imported === text ? text : `${imported}: ${text}`));
    const lines = [];
    if (whole) lines.push(`const ${whole[1]} = require(${JSON.stringify(module)});`);
    if (named.length > 0) lines.push(`const { ${named.join(', ')} } = ${whole ? whole[1] : `require(${JSON.stringify(module)})`};`);
    return lines.join('\n');
  });
  return `'use strict';\n${head.join('\n')}\n${parts.join('\n')}\n`;
}

function main() {
  for (const name of fs.readdirSync(cli)) if (/^lean-.*\.cjs$/.test(name)) fs.rmSync(path.join(cli, name));
  const entries = PROGRAMS.map((p) => path.join(src, 'cli', 'lean', `${p}.ts`));
  const { ts, program } = programFor(entries);
  for (const [i, name] of PROGRAMS.entries()) fs.writeFileSync(path.join(cli, `lean-${name}.cjs`), leanScript(program, ts, entries[i]));
}

if (require.main === module) main();
module.exports = { leanScript, programFor };
