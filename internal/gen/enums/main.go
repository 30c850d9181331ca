// Command enums generates schema/enums/enums_gen.go: the allowed values of
// every struct field in k8s.io/api whose type is a `+enum` string type.
//
// The published OpenAPI of the built-in kinds carries the allowed values only
// as prose, so they are recovered from the Go source of k8s.io/api: a named
// string type whose doc comment has a `+enum` line, and the constants of that
// type (declared in any package). Every field of every struct whose type is
// such an enum — directly, as a pointer, or as a slice/array element — gets an
// entry keyed by the OpenAPI definition name of the struct and the field's
// JSON name.
//
// Only syntax is used (go/parser, go/ast); no type checker. Constant values
// are evaluated for the forms k8s.io/api uses: string literals, references to
// other constants (also in other k8s.io/api packages), conversions T("x") /
// T(pkg.C) and string concatenation.
//
// Usage (from schema/enums, via go:generate):
//
//	go run ../../internal/gen/enums -out enums_gen.go
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"log"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

const apiModule = "k8s.io/api"

func main() {
	log.SetFlags(0)
	log.SetPrefix("gen/enums: ")
	out := flag.String("out", "enums_gen.go", "output file")
	dir := flag.String("api-dir", "", "source directory of k8s.io/api (default: from `go list -m k8s.io/api`)")
	version := flag.String("api-version", "", "version of k8s.io/api recorded in the header (default: from `go list -m k8s.io/api`)")
	flag.Parse()

	if *dir == "" || *version == "" {
		d, v, err := locateModule(apiModule)
		if err != nil {
			log.Fatal(err)
		}
		if *dir == "" {
			*dir = d
		}
		if *version == "" {
			*version = v
		}
	}

	u, err := load(*dir)
	if err != nil {
		log.Fatal(err)
	}
	t := u.build()
	src, err := t.render(*version)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: %d enum types, %d fields in %d definitions", *out, len(t.types), t.fieldCount(), len(t.fields))
}

// locateModule asks the go command where a required module lives.
func locateModule(mod string) (dir, version string, err error) {
	cmd := exec.Command("go", "list", "-m", "-json", mod)
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m %s: %w", mod, err)
	}
	var m struct{ Dir, Version string }
	if err := json.Unmarshal(b, &m); err != nil {
		return "", "", fmt.Errorf("go list -m %s: %w", mod, err)
	}
	if m.Dir == "" {
		return "", "", fmt.Errorf("go list -m %s: module source not in the module cache (run go mod download %s)", mod, mod)
	}
	return m.Dir, m.Version, nil
}

// ---------------------------------------------------------------------------
// Loading

// universe is every parsed package of k8s.io/api, keyed by the path below
// the module root ("core/v1").
type universe struct {
	fset *token.FileSet
	pkgs map[string]*pkg
}

type pkg struct {
	path   string // "core/v1"
	files  []*file
	types  map[string]*typeDecl
	consts map[string]*constDecl
	// constList is every constant in file-name order, then source order.
	constList []*constDecl
	// modelNames maps a type name to the name returned by its generated
	// OpenAPIModelName method, where there is one.
	modelNames map[string]string
}

type file struct {
	pkg     *pkg
	ast     *ast.File
	imports map[string]string // local name -> path below k8s.io/api ("core/v1"); only k8s.io/api imports
}

type typeDecl struct {
	name    string
	file    *file
	spec    *ast.TypeSpec
	enumTag bool
}

type constDecl struct {
	name string
	file *file
	typ  ast.Expr // declared type, or nil
	val  ast.Expr // value expression, or nil (iota-only, non-string)
	doc  string   // the doc comment's text, lines joined by spaces

	// memoized
	resolved bool
	value    string
	valueOK  bool
	typeRef  typeRef
	typeOK   bool
	busy     bool
}

// constDoc is a constant's doc comment as the OpenAPI generator reads it: the comment
// right above the constant's line (a spec's own, or an ungrouped declaration's), its
// lines joined by spaces.
func constDoc(d *ast.GenDecl, vs *ast.ValueSpec) string {
	doc := vs.Doc
	if doc == nil && !d.Lparen.IsValid() {
		doc = d.Doc
	}
	if doc == nil {
		return ""
	}
	return strings.Join(strings.Split(doc.Text(), "\n"), " ")
}

// valueDoc is the doc comment chosen for an enum value, and the constant it is of.
type valueDoc struct{ name, raw string }

// line is the value's line under "Possible enum values:", as k8s.io/kube-openapi's enum
// generator writes it: the quoted value, then the comment without the constant's name,
// white space folded.
func (d valueDoc) line(value string) string {
	c := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d.raw), d.name))
	return strings.TrimRight(fmt.Sprintf(" - `%q` %s", value, strings.Join(strings.Fields(c), " ")), " ")
}

// typeRef names a type declared in k8s.io/api.
type typeRef struct {
	pkg  string // "core/v1"
	name string // "PullPolicy"
}

func (r typeRef) String() string { return r.pkg + "." + r.name }

func load(root string) (*universe, error) {
	u := &universe{fset: token.NewFileSet(), pkgs: map[string]*pkg{}}
	byDir := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, filepath.Dir(p))
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil // the module root holds only doc.go and tests
		}
		byDir[rel] = append(byDir[rel], p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(byDir) == 0 {
		return nil, fmt.Errorf("no Go packages below %s", root)
	}

	for rel, paths := range byDir {
		sort.Strings(paths)
		pk := &pkg{path: rel, types: map[string]*typeDecl{}, consts: map[string]*constDecl{}, modelNames: map[string]string{}}
		for _, p := range paths {
			af, err := parser.ParseFile(u.fset, p, nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				return nil, err
			}
			if af.Name.Name == "main" || strings.HasSuffix(af.Name.Name, "_test") {
				continue
			}
			f := &file{pkg: pk, ast: af, imports: map[string]string{}}
			for _, im := range af.Imports {
				ip, err := strconv.Unquote(im.Path.Value)
				if err != nil || !strings.HasPrefix(ip, apiModule+"/") {
					continue
				}
				below := strings.TrimPrefix(ip, apiModule+"/")
				name := path.Base(ip) // k8s.io/api package names equal their last element
				if im.Name != nil {
					name = im.Name.Name
				}
				if name == "_" || name == "." {
					continue
				}
				f.imports[name] = below
			}
			pk.files = append(pk.files, f)
			pk.collect(f)
		}
		u.pkgs[rel] = pk
	}
	return u, nil
}

// collect records the type and constant declarations of one file.
func (pk *pkg) collect(f *file) {
	for _, decl := range f.ast.Decls {
		switch d := decl.(type) {
		case *ast.GenDecl:
			switch d.Tok {
			case token.TYPE:
				for _, s := range d.Specs {
					ts := s.(*ast.TypeSpec)
					doc := ts.Doc
					if doc == nil && len(d.Specs) == 1 {
						doc = d.Doc
					}
					pk.types[ts.Name.Name] = &typeDecl{name: ts.Name.Name, file: f, spec: ts, enumTag: hasEnumTag(doc)}
				}
			case token.CONST:
				// Inside a group, a spec without type and values repeats
				// the previous spec's type and expressions.
				var lastTyp ast.Expr
				var lastVals []ast.Expr
				for _, s := range d.Specs {
					vs := s.(*ast.ValueSpec)
					typ, vals := vs.Type, vs.Values
					if typ == nil && len(vals) == 0 {
						typ, vals = lastTyp, lastVals
					} else {
						lastTyp, lastVals = typ, vals
					}
					for i, n := range vs.Names {
						if n.Name == "_" {
							continue
						}
						c := &constDecl{name: n.Name, file: f, typ: typ, doc: constDoc(d, vs)}
						if i < len(vals) {
							c.val = vals[i]
						}
						pk.consts[n.Name] = c
						pk.constList = append(pk.constList, c)
					}
				}
			}
		case *ast.FuncDecl:
			// func (in T) OpenAPIModelName() string { return "io.k8s..." }
			if d.Name.Name != "OpenAPIModelName" || d.Recv == nil || len(d.Recv.List) != 1 || d.Body == nil || len(d.Body.List) != 1 {
				continue
			}
			recv := d.Recv.List[0].Type
			if st, ok := recv.(*ast.StarExpr); ok {
				recv = st.X
			}
			id, ok := recv.(*ast.Ident)
			if !ok {
				continue
			}
			ret, ok := d.Body.List[0].(*ast.ReturnStmt)
			if !ok || len(ret.Results) != 1 {
				continue
			}
			if lit, ok := ret.Results[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					pk.modelNames[id.Name] = s
				}
			}
		}
	}
}

// hasEnumTag reports whether a doc comment carries the `+enum` tag, in the
// sense of gengo's comment tags: a line "+enum" or "+enum=<value>".
func hasEnumTag(doc *ast.CommentGroup) bool {
	if doc == nil {
		return false
	}
	for _, c := range doc.List {
		text := c.Text
		switch {
		case strings.HasPrefix(text, "//"):
			text = text[2:]
		case strings.HasPrefix(text, "/*"):
			text = strings.TrimSuffix(text[2:], "*/")
		}
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "+") {
				continue
			}
			key, _, _ := strings.Cut(line[1:], "=")
			if key == "enum" {
				return true
			}
		}
	}
	return false
}

// ---------------------------------------------------------------------------
// Resolution

// resolveType follows a type expression written in file f to the type it
// denotes, through aliases. It reports false for anything that is not a
// named type declared in k8s.io/api (builtins, other modules, composites).
// aliasTagged reports whether any alias passed on the way carries +enum.
func (u *universe) resolveType(f *file, e ast.Expr) (ref typeRef, aliasTagged bool, ok bool) {
	for depth := 0; depth < 32; depth++ {
		var pk *pkg
		var name string
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
			continue
		case *ast.Ident:
			pk, name = f.pkg, x.Name
		case *ast.SelectorExpr:
			id, isID := x.X.(*ast.Ident)
			if !isID {
				return typeRef{}, false, false
			}
			below, imported := f.imports[id.Name]
			if !imported {
				return typeRef{}, false, false
			}
			pk, name = u.pkgs[below], x.Sel.Name
		default:
			return typeRef{}, false, false
		}
		if pk == nil {
			return typeRef{}, false, false
		}
		td := pk.types[name]
		if td == nil {
			return typeRef{}, false, false
		}
		if td.spec.Assign.IsValid() { // alias: follow it
			aliasTagged = aliasTagged || td.enumTag
			f, e = td.file, td.spec.Type
			continue
		}
		return typeRef{pkg: pk.path, name: name}, aliasTagged, true
	}
	return typeRef{}, false, false
}

// lookupConst finds the constant an identifier or qualified identifier in
// file f refers to.
func (u *universe) lookupConst(f *file, e ast.Expr) *constDecl {
	switch x := e.(type) {
	case *ast.Ident:
		return f.pkg.consts[x.Name]
	case *ast.SelectorExpr:
		id, ok := x.X.(*ast.Ident)
		if !ok {
			return nil
		}
		below, ok := f.imports[id.Name]
		if !ok || u.pkgs[below] == nil {
			return nil
		}
		return u.pkgs[below].consts[x.Sel.Name]
	}
	return nil
}

// resolveConst computes a constant's string value and its type.
func (u *universe) resolveConst(c *constDecl) {
	if c.resolved || c.busy {
		return
	}
	c.busy = true
	defer func() { c.busy = false; c.resolved = true }()

	if c.val != nil {
		c.value, c.valueOK = u.evalString(c.file, c.val)
	}
	if c.typ != nil {
		if ident, ok := c.typ.(*ast.Ident); ok && ident.Name == "string" {
			return
		}
		c.typeRef, _, c.typeOK = u.resolveType(c.file, c.typ)
		return
	}
	if c.val != nil {
		c.typeRef, c.typeOK = u.exprType(c.file, c.val)
	}
}

// exprType is the (k8s.io/api) type of an untyped constant declaration's
// value expression: T(...) conversions and references to typed constants.
func (u *universe) exprType(f *file, e ast.Expr) (typeRef, bool) {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return u.exprType(f, x.X)
	case *ast.CallExpr:
		if len(x.Args) != 1 {
			return typeRef{}, false
		}
		ref, _, ok := u.resolveType(f, x.Fun)
		return ref, ok
	case *ast.Ident, *ast.SelectorExpr:
		if c := u.lookupConst(f, x); c != nil {
			u.resolveConst(c)
			return c.typeRef, c.typeOK
		}
	case *ast.BinaryExpr:
		if r, ok := u.exprType(f, x.X); ok {
			return r, true
		}
		return u.exprType(f, x.Y)
	}
	return typeRef{}, false
}

// evalString evaluates a constant string expression.
func (u *universe) evalString(f *file, e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(x.Value)
		return s, err == nil
	case *ast.ParenExpr:
		return u.evalString(f, x.X)
	case *ast.Ident, *ast.SelectorExpr:
		c := u.lookupConst(f, x)
		if c == nil {
			return "", false
		}
		u.resolveConst(c)
		return c.value, c.valueOK
	case *ast.CallExpr:
		// A conversion T(x) or string(x).
		if len(x.Args) != 1 {
			return "", false
		}
		if id, ok := x.Fun.(*ast.Ident); !ok || id.Name != "string" {
			if _, _, ok := u.resolveType(f, x.Fun); !ok {
				return "", false
			}
		}
		return u.evalString(f, x.Args[0])
	case *ast.BinaryExpr:
		if x.Op != token.ADD {
			return "", false
		}
		a, ok := u.evalString(f, x.X)
		if !ok {
			return "", false
		}
		b, ok := u.evalString(f, x.Y)
		return a + b, ok
	}
	return "", false
}

// ---------------------------------------------------------------------------
// Building the table

type table struct {
	// types maps "core/v1.PullPolicy" to its values.
	types map[string][]string
	// fields maps a definition name to field JSON name to enum type key.
	fields map[string]map[string]string
	// direct holds "definition.field" for the fields of an enum type itself (or a
	// pointer to it), which the OpenAPI generator describes with their values.
	direct map[string]bool
	// docs maps an enum type key to its "Possible enum values:" lines.
	docs map[string][]string
}

func (t *table) fieldCount() int {
	n := 0
	for _, m := range t.fields {
		n += len(m)
	}
	return n
}

func (u *universe) sortedPkgs() []*pkg {
	var ps []*pkg
	for _, p := range u.pkgs {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].path < ps[j].path })
	return ps
}

func (u *universe) build() *table {
	pkgs := u.sortedPkgs()

	// 1. Enum types: named types with underlying string and a +enum tag,
	// either on themselves or on an alias of them.
	enums := map[typeRef]bool{}
	isString := func(td *typeDecl) bool {
		id, ok := td.spec.Type.(*ast.Ident)
		return ok && id.Name == "string" && td.spec.TypeParams == nil
	}
	for _, pk := range pkgs {
		for _, td := range pk.types {
			if !td.enumTag {
				continue
			}
			ref, _, ok := u.resolveType(td.file, ast.NewIdent(td.name))
			if !ok {
				log.Printf("warning: +enum type %s.%s does not resolve to a k8s.io/api type", pk.path, td.name)
				continue
			}
			if !isString(u.pkgs[ref.pkg].types[ref.name]) {
				log.Printf("warning: +enum type %s.%s is not a string type; ignored", pk.path, td.name)
				continue
			}
			enums[ref] = true
		}
	}

	// 2. Values: constants of each enum type, from the type's own package
	// first (source order), then from other packages (e.g. re-exports
	// through an alias), each value once.
	values := map[typeRef][]string{}
	seen := map[typeRef]map[string]bool{}
	add := func(ref typeRef, v string) {
		if seen[ref] == nil {
			seen[ref] = map[string]bool{}
		}
		if !seen[ref][v] {
			seen[ref][v] = true
			values[ref] = append(values[ref], v)
		}
	}
	// Each value's description, as the OpenAPI generator writes it under "Possible enum
	// values:" (k8s.io/kube-openapi's enum generator): the longest doc comment among the
	// constants of that value (the smaller text on a tie), without the constant's name,
	// white space folded.
	docs := map[typeRef]map[string]valueDoc{}
	addDoc := func(ref typeRef, name, value, doc string) {
		if docs[ref] == nil {
			docs[ref] = map[string]valueDoc{}
		}
		old, ok := docs[ref][value]
		if !ok || len(old.raw) < len(doc) || len(old.raw) == len(doc) && old.raw > doc {
			docs[ref][value] = valueDoc{name: name, raw: doc}
		}
	}
	for pass := 0; pass < 2; pass++ {
		for _, pk := range pkgs {
			for _, c := range pk.constList {
				u.resolveConst(c)
				if !c.typeOK || !enums[c.typeRef] {
					continue
				}
				own := c.typeRef.pkg == pk.path
				if own != (pass == 0) {
					continue
				}
				if !c.valueOK {
					log.Printf("warning: constant %s.%s of enum type %s: value not understood; skipped", pk.path, c.name, c.typeRef)
					continue
				}
				add(c.typeRef, c.value)
				addDoc(c.typeRef, c.name, c.value, c.doc)
			}
		}
	}

	t := &table{types: map[string][]string{}, fields: map[string]map[string]string{}, direct: map[string]bool{}, docs: map[string][]string{}}
	used := map[typeRef]bool{}

	// 3. Fields of every struct.
	for _, pk := range pkgs {
		for _, td := range pk.types {
			st, ok := td.spec.Type.(*ast.StructType)
			if !ok || td.spec.Assign.IsValid() || td.spec.TypeParams != nil {
				continue
			}
			def := "io.k8s.api." + strings.ReplaceAll(pk.path, "/", ".") + "." + td.name
			if mn, ok := pk.modelNames[td.name]; ok && mn != def {
				log.Printf("note: %s.%s has OpenAPI model name %s (not %s); using it", pk.path, td.name, mn, def)
				def = mn
			}
			for jsonName, ef := range u.structEnums(td.file, st, enums, 0) {
				if t.fields[def] == nil {
					t.fields[def] = map[string]string{}
				}
				t.fields[def][jsonName] = ef.ref.String()
				if ef.direct {
					t.direct[def+"."+jsonName] = true
				}
				used[ef.ref] = true
			}
		}
	}
	for ref := range used {
		if len(values[ref]) == 0 {
			log.Printf("warning: enum type %s has no constants", ref)
		}
		t.types[ref.String()] = values[ref]
		var lines []string
		for v, d := range docs[ref] {
			lines = append(lines, d.line(v))
		}
		sort.Strings(lines)
		t.docs[ref.String()] = lines
	}
	return t
}

// structEnums returns the enum-typed fields of a struct by JSON name,
// including those of embedded structs that encoding/json flattens into it
// (an embedded field without a JSON name, e.g. `json:",inline"` or `json:""`).
func (u *universe) structEnums(f *file, st *ast.StructType, enums map[typeRef]bool, depth int) map[string]enumField {
	out := map[string]enumField{}
	if depth > 8 {
		return out
	}
	for _, fld := range st.Fields.List {
		if len(fld.Names) == 0 {
			if flattened(fld) {
				ref, _, ok := u.fieldEnum(f, fld.Type)
				if !ok {
					continue
				}
				td := u.pkgs[ref.pkg].types[ref.name]
				inner, ok := td.spec.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for k, v := range u.structEnums(td.file, inner, enums, depth+1) {
					if _, dup := out[k]; !dup {
						out[k] = v
					}
				}
			}
			continue
		}
		ref, direct, ok := u.fieldEnum(f, fld.Type)
		if !ok || !enums[ref] {
			continue
		}
		for _, n := range fld.Names {
			jsonName, skip := jsonFieldName(fld, n.Name)
			if skip || !n.IsExported() {
				continue
			}
			out[jsonName] = enumField{ref, direct} // fields of the struct itself win over embedded ones
		}
	}
	return out
}

// flattened reports whether encoding/json flattens an embedded field into
// the enclosing struct: it has no JSON name of its own and is not json:"-".
func flattened(fld *ast.Field) bool {
	if fld.Tag == nil {
		return true
	}
	raw, err := strconv.Unquote(fld.Tag.Value)
	if err != nil {
		return true
	}
	tag := reflect.StructTag(raw).Get("json")
	if tag == "-" {
		return false
	}
	name, _, _ := strings.Cut(tag, ",")
	return name == ""
}

// enumField is a struct field of an enum type: directly (or through a pointer), or as
// the element of a slice or array.
type enumField struct {
	ref    typeRef
	direct bool
}

// fieldEnum strips pointers, slices and arrays from a field type and
// resolves the element type; direct is false when a slice or array was stripped.
func (u *universe) fieldEnum(f *file, e ast.Expr) (ref typeRef, direct, ok bool) {
	direct = true
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
			continue
		case *ast.ArrayType:
			e = x.Elt
			direct = false
			continue
		case *ast.ParenExpr:
			e = x.X
			continue
		}
		break
	}
	ref, _, ok = u.resolveType(f, e)
	return ref, direct, ok
}

// jsonFieldName returns the JSON name of a struct field, and whether the
// field is to be skipped (json:"-", inline).
func jsonFieldName(fld *ast.Field, goName string) (string, bool) {
	if fld.Tag == nil {
		return goName, false
	}
	raw, err := strconv.Unquote(fld.Tag.Value)
	if err != nil {
		return goName, false
	}
	tag, ok := reflect.StructTag(raw).Lookup("json")
	if !ok {
		return goName, false
	}
	if tag == "-" {
		return "", true
	}
	name, opts, _ := strings.Cut(tag, ",")
	for _, o := range strings.Split(opts, ",") {
		if o == "inline" {
			return "", true
		}
	}
	if name == "" {
		name = goName
	}
	return name, false
}

// ---------------------------------------------------------------------------
// Rendering

func (t *table) render(version string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by internal/gen/enums from %s %s. DO NOT EDIT.\n\n", apiModule, version)
	b.WriteString("package enums\n\n")
	fmt.Fprintf(&b, "// apiVersion is the version of %s the table was generated from.\n", apiModule)
	fmt.Fprintf(&b, "const apiVersion = %q\n\n", version)

	b.WriteString("// generatedTypes maps a +enum Go type (package path below k8s.io/api, a dot,\n")
	b.WriteString("// the type name) to the values of its constants: those of the type's own\n")
	b.WriteString("// package in source order, then any declared elsewhere.\n")
	b.WriteString("var generatedTypes = map[string][]string{\n")
	typeKeys := sortedKeys(t.types)
	for _, k := range typeKeys {
		fmt.Fprintf(&b, "\t%q: {", k)
		for i, v := range t.types[k] {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q", v)
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n\n")

	b.WriteString("// generatedFields maps an OpenAPI definition name to the JSON name of each of\n")
	b.WriteString("// its fields whose type (or element type) is a +enum type, to that type.\n")
	b.WriteString("var generatedFields = map[string]map[string]string{\n")
	for _, def := range sortedKeys(t.fields) {
		fmt.Fprintf(&b, "\t%q: {\n", def)
		for _, f := range sortedKeys(t.fields[def]) {
			fmt.Fprintf(&b, "\t\t%q: %q,\n", f, t.fields[def][f])
		}
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n\n")

	b.WriteString("// generatedDocs maps a +enum Go type to the lines the OpenAPI generator writes\n")
	b.WriteString("// under \"Possible enum values:\" in the description of a field of that type:\n")
	b.WriteString("// each value with the doc comment of its constant, sorted.\n")
	b.WriteString("var generatedDocs = map[string][]string{\n")
	for _, k := range typeKeys {
		fmt.Fprintf(&b, "\t%q: {\n", k)
		for _, l := range t.docs[k] {
			fmt.Fprintf(&b, "\t\t%q,\n", l)
		}
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n\n")

	b.WriteString("// generatedDirect holds \"definition.field\" for the fields whose type is a +enum\n")
	b.WriteString("// type itself (or a pointer to it), not a list of it: the OpenAPI generator\n")
	b.WriteString("// describes their values.\n")
	b.WriteString("var generatedDirect = map[string]bool{\n")
	for _, k := range sortedKeys(t.direct) {
		fmt.Fprintf(&b, "\t%q: true,\n", k)
	}
	b.WriteString("}\n")

	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting output: %w", err)
	}
	return src, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
