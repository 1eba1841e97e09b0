package emulator_test

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/groundstack/groundstack/harness/awsmodel"
	"github.com/groundstack/groundstack/harness/emulator"
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// TestInputsMatchTheModels makes AWS's models the authority on the
// constraints our inputs declare: for every registered operation, every
// member its input struct reads must have the model's wire name, and its
// tags must say exactly what the model says (required, min/max, enum, and
// pattern where RE2 can express it), in nested structures too. Members the
// model has and the struct lacks are counted per operation (logged with
// -v), not failures: an operation may ignore them. A constraint a tag
// states and the model does not must be listed in stricterFile with where
// AWS is seen to enforce it.
func TestInputsMatchTheModels(t *testing.T) {
	t.Parallel()
	lib, err := awsmodel.Default()
	if err != nil {
		t.Fatalf("%v (run make deps)", err)
	}
	var problems, stricter []string
	seen := map[string]bool{}
	for _, svc := range emulator.New().Services() {
		m, ok := svc.(cloud.Modeled)
		if !ok {
			continue
		}
		for _, api := range m.APIs() {
			model, err := lib.Service(api.Model)
			if err != nil {
				t.Errorf("%s: %v", svc.Name(), err)
				continue
			}
			for _, op := range api.Operations() {
				key := api.Model + "." + op.Name
				if seen[key] {
					continue // CloudWatch registers its operations once per protocol
				}
				seen[key] = true
				if model.Operations[op.Name] == nil {
					problems = append(problems, key+": not an operation of the model")
					continue
				}
				c := checker{model: model, protocol: api.Protocol, op: key, seen: map[reflect.Type]bool{}}
				c.structure(op.Input(), model.Input(op.Name), "", true)
				problems = append(problems, c.problems...)
				stricter = append(stricter, c.extra...)
				if c.missing > 0 {
					t.Logf("%s: %d member(s) of the model not read (%s)", key, c.missing, strings.Join(c.missingNames, ", "))
				}
			}
		}
	}
	known, err := readKnownMismatches(knownMismatchesFile)
	if err != nil {
		t.Fatal(err)
	}
	reviewed, err := readKnownMismatches(stricterFile)
	if err != nil {
		t.Fatal(err)
	}
	var unreviewed, gone []string
	stated := map[string]bool{}
	for _, x := range stricter {
		k := mismatchKey(x)
		stated[k] = true
		if !reviewed[k] {
			unreviewed = append(unreviewed, x)
		}
	}
	for k := range reviewed {
		if !stated[k] {
			gone = append(gone, k)
		}
	}
	sort.Strings(unreviewed)
	sort.Strings(gone)
	if len(unreviewed) > 0 {
		t.Errorf("%d constraint(s) stricter than AWS's models: drop the tag (the model is the authority), or, where AWS's "+
			"documentation or a recorded answer shows AWS enforcing it, list it in %s with that source:\n%s",
			len(unreviewed), stricterFile, strings.Join(unreviewed, "\n"))
	}
	if len(gone) > 0 {
		t.Errorf("%d constraint(s) listed in %s are no longer stated by a tag: remove them from the list:\n%s", len(gone), stricterFile, strings.Join(gone, "\n"))
	}
	var fresh []string
	found := map[string]bool{}
	for _, p := range problems {
		k := mismatchKey(p)
		found[k] = true
		if !known[k] {
			fresh = append(fresh, p)
		}
	}
	var fixed []string
	for k := range known {
		if !found[k] {
			fixed = append(fixed, k)
		}
	}
	sort.Strings(fresh)
	sort.Strings(fixed)
	t.Logf("%d member(s) disagree with the models, %d of them listed in %s; %d constraint(s) beyond the models, %d of them reviewed in %s",
		len(problems), len(problems)-len(fresh), knownMismatchesFile, len(stricter), len(stricter)-len(unreviewed), stricterFile)
	if len(fresh) > 0 {
		t.Errorf("%d input member(s) disagree with AWS's models: make the tags say what the model says (or, where AWS "+
			"answers otherwise and a test shows it, list the member in %s with why):\n%s", len(fresh), knownMismatchesFile, strings.Join(fresh, "\n"))
	}
	if len(fixed) > 0 {
		t.Errorf("%d member(s) listed in %s now agree with the models: remove them from the list:\n%s", len(fixed), knownMismatchesFile, strings.Join(fixed, "\n"))
	}
}

// knownMismatchesFile lists the members whose tags may disagree with the
// models (one "service.Operation path what" a line, grouped under a comment
// saying why); the list may only shrink.
const knownMismatchesFile = "testdata/model-mismatches.txt"

// stricterFile lists the constraints our tags state beyond the models that
// AWS enforces (one "service.Operation path tag" a line, grouped under a
// comment naming the source), in the same format.
const stricterFile = "testdata/model-stricter.txt"

func readKnownMismatches(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out[line] = true
	}
	return out, nil
}

var problemRE = regexp.MustCompile(`^(\S+ \S+): (?:(required|min|max|enum|pattern):)?`)

// mismatchKey is a problem as the list names it: "service.Op path what",
// what being the tag or "wire-name", without the model's value (which a
// newer botocore may change).
func mismatchKey(problem string) string {
	m := problemRE.FindStringSubmatch(problem)
	if m == nil {
		return problem
	}
	if m[2] == "" {
		return m[1] + " wire-name"
	}
	return m[1] + " " + m[2]
}

type checker struct {
	model        *awsmodel.Service
	protocol     awsproto.Protocol
	op           string
	problems     []string
	missing      int
	missingNames []string
	extra        []string
	seen         map[reflect.Type]bool
}

// beyond records a constraint a tag states and the model does not (AWS
// enforces some limits its models leave out, such as Lambda's 900-second
// timeout): a failure unless stricterFile lists it.
func (c *checker) beyond(path, format string, args ...any) {
	c.extra = append(c.extra, c.op+" "+path+": "+fmt.Sprintf(format, args...))
}

func (c *checker) fail(path, format string, args ...any) {
	c.problems = append(c.problems, c.op+" "+path+": "+fmt.Sprintf(format, args...))
}

// goField is a field of an input struct as the wire sees it.
type goField struct {
	sf       reflect.StructField
	wire     string
	location string
}

func (c *checker) fields(t reflect.Type) []goField {
	var out, embedded []goField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct && sf.Tag.Get("json") == "" {
			embedded = append(embedded, c.fields(sf.Type)...)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		jsonName, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		xmlName, _, _ := strings.Cut(sf.Tag.Get("xml"), ",")
		f := goField{sf: sf, wire: sf.Name, location: sf.Tag.Get("location")}
		switch {
		case f.location != "":
			f.wire = sf.Tag.Get("name")
		case c.protocol == awsproto.Query || c.protocol == awsproto.EC2Query:
			if q := sf.Tag.Get("query"); q != "" {
				f.wire = q
			}
		case c.protocol == awsproto.RestXML && xmlName != "" && xmlName != "-":
			f.wire = xmlName[strings.LastIndex(xmlName, ">")+1:]
		case jsonName == "-":
			continue // read by the operation itself, not from the wire
		case jsonName != "":
			f.wire = jsonName
		}
		out = append(out, f)
	}
	// an embedded struct's member is shadowed by the outer one of its
	// name, as encoding/json decodes it
	outer := map[string]bool{}
	for _, f := range out {
		outer[f.location+" "+f.wire] = true
	}
	for _, f := range embedded {
		if !outer[f.location+" "+f.wire] {
			out = append(out, f)
		}
	}
	return out
}

// wireName is a model member's name on the wire in this protocol.
func (c *checker) wireName(name string, ref *awsmodel.Ref) string {
	switch {
	case c.protocol == awsproto.EC2Query && ref.QueryName != "":
		return ref.QueryName
	case c.protocol == awsproto.EC2Query && ref.LocationName != "":
		return strings.ToUpper(ref.LocationName[:1]) + ref.LocationName[1:]
	case ref.Location != "":
		return ref.LocationName
	case (c.protocol == awsproto.RestXML || c.protocol == awsproto.RestJSON || c.protocol == awsproto.Query) && ref.LocationName != "" && !ref.Flattened:
		return ref.LocationName
	}
	return name
}

// structure checks Go struct t against the model's structure shape.
func (c *checker) structure(t reflect.Type, shape *awsmodel.Shape, path string, top bool) {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map) {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct || shape == nil || shape.Type != "structure" || c.seen[t] {
		return
	}
	if t.PkgPath() == "time" {
		return
	}
	c.seen[t] = true
	defer delete(c.seen, t)
	byWire := map[string]string{}
	byLocation := map[string]string{}
	for _, name := range shape.MemberNames() {
		ref := shape.Members[name]
		if ref.Location != "" {
			byLocation[ref.Location+" "+strings.ToLower(ref.LocationName)] = name
			continue
		}
		byWire[c.wireName(name, ref)] = name
	}
	read := map[string]bool{}
	for _, f := range c.fields(t) {
		var name string
		switch {
		case f.location == "body":
			name = shape.Payload
		case f.location == "uri" || f.location == "querystring" || f.location == "header" || f.location == "headers":
			name = byLocation[f.location+" "+strings.ToLower(f.wire)]
		case f.location == "statusCode":
			continue
		default:
			name = byWire[f.wire]
		}
		if name == "" {
			if f.location != "" || f.sf.Tag.Get("json") != "" || f.sf.Tag.Get("query") != "" || f.sf.Tag.Get("xml") != "" {
				c.fail(path+f.sf.Name, "%s %q is no member of the model's %s", orBody(f.location), f.wire, shapeName(c.model, shape))
			}
			continue
		}
		read[name] = true
		ref := shape.Members[name]
		c.member(f, ref, shape.IsRequired(name), path+name)
	}
	if top {
		for _, name := range shape.MemberNames() {
			if !read[name] {
				c.missing++
				c.missingNames = append(c.missingNames, name)
			}
		}
	}
}

func orBody(loc string) string {
	if loc == "" {
		return "body member"
	}
	return loc
}

func shapeName(m *awsmodel.Service, s *awsmodel.Shape) string {
	for n, x := range m.Shapes {
		if x == s {
			return n
		}
	}
	return "shape"
}

// member checks one field's tags against the model's member.
func (c *checker) member(f goField, ref *awsmodel.Ref, required bool, path string) {
	target := c.model.Shape(ref.Shape)
	if target == nil {
		return
	}
	tag := f.sf.Tag
	if got := tag.Get("required") == "true"; got != required && !(f.location == "uri" && !got) {
		c.fail(path, "required:%q, the model says %v", tag.Get("required"), required)
	}
	if f.location != "body" {
		c.bound(path, "min", tag.Get("min"), target.Min, target.Type)
		c.bound(path, "max", tag.Get("max"), target.Max, target.Type)
		if target.Type == "string" && !sameSet(tag.Get("enum"), target.Enum) {
			c.fail(path, "enum:%q, the model says %q", tag.Get("enum"), strings.Join(target.Enum, ","))
		}
		if target.Type == "string" {
			c.pattern(path, tag.Get("pattern"), target.Pattern)
		}
	}
	switch target.Type {
	case "structure":
		c.structure(f.sf.Type, target, path+".", false)
	case "list":
		if el := c.model.Shape(target.Member.Shape); el != nil && el.Type == "structure" {
			c.structure(f.sf.Type, el, path+".member.", false)
		}
	case "map":
		if v := c.model.Shape(target.Value.Shape); v != nil && v.Type == "structure" {
			c.structure(f.sf.Type, v, path+".value.", false)
		}
	}
}

// bound compares a min or max tag with the model's, where a tag can state it.
func (c *checker) bound(path, name, tag string, model *float64, typ string) {
	switch typ {
	case "string", "list", "map", "blob", "integer", "long", "double", "float":
	default:
		return
	}
	length := typ != "integer" && typ != "long" && typ != "double" && typ != "float"
	if model == nil || (name == "min" && *model == 0 && length) {
		if tag != "" && !(name == "min" && tag == "0" && length) { // a length of at least 0 constrains nothing
			c.beyond(path, "%s:%q, the model has none", name, tag)
		}
		return
	}
	v := *model
	if v != math.Trunc(v) || math.Abs(v) >= 1<<62 {
		return // a fraction or a bound no int64 tag states
	}
	if tag != strconv.FormatInt(int64(v), 10) {
		c.fail(path, "%s:%q, the model says %d", name, tag, int64(v))
	}
}

// pattern compares a pattern tag with the model's, where RE2 can compile it.
func (c *checker) pattern(path, tag, model string) {
	if model == "" {
		if tag != "" {
			c.beyond(path, "pattern:%q, the model has none", tag)
		}
		return
	}
	if _, err := regexp.Compile(javaEscapes.ReplaceAllString(model, `\x{$1}`)); err != nil {
		return // look-ahead and the like: checked in Validate(), if at all
	}
	if tag != model {
		c.fail(path, "pattern:%q, the model says %q", tag, model)
	}
}

// sameSet reports whether a tag's enum holds the model's values: the
// order is free, as tags keep the order AWS's messages list them in.
func sameSet(tag string, model []string) bool {
	var got []string
	if tag != "" {
		got = strings.Split(tag, ",")
	}
	if len(got) != len(model) {
		return false
	}
	want := map[string]bool{}
	for _, v := range model {
		want[v] = true
	}
	for _, v := range got {
		if !want[v] {
			return false
		}
	}
	return true
}

var javaEscapes = regexp.MustCompile(`\\u([0-9a-fA-F]{4})`)
