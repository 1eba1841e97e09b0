package dynamodb

import (
	"fmt"
	"sort"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Validation of table definitions (CreateTable, UpdateTable) beyond what
// the model's constraints state, worded as DynamoDB words it.

// checkTableName validates a table (or index) name as AWS does.
func checkTableName(name *string, member string) (string, error) {
	if name == nil {
		return "", notNull(member)
	}
	n := *name
	if err := awsproto.CheckLength(errValidation, n, member, 3, 255); err != nil {
		return "", err
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return "", constraint(n, member, awsproto.Pattern("[a-zA-Z0-9_.-]+"))
		}
	}
	return n, nil
}

// badResourceARN refuses a tagging or policy ARN that names no table, in
// the words a catalogue of live AWS answers records.
func badResourceARN(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	switch {
	case !strings.HasPrefix(arn, "arn:"):
		return validationf("One or more parameter values were invalid: ARNs must start with 'arn:': %s", arn)
	case len(parts) < 6 || parts[2] != "dynamodb":
		return validationf("One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: %s", arn)
	}
	return validationf("One or more parameter values were invalid: Invalid resource arn provided, only table or stream is accepted. Provided resource arn: %s", arn)
}

// parseTableARN splits arn:aws:dynamodb:region:account:table/name.
func parseTableARN(arn string) (region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "dynamodb" || !strings.HasPrefix(parts[5], "table/") {
		return "", "", false
	}
	name = strings.TrimPrefix(parts[5], "table/")
	if i := strings.IndexByte(name, '/'); i >= 0 {
		name = name[:i]
	}
	return parts[3], name, name != ""
}

// parseKeySchema validates a key schema; types come from defs (a missing
// definition is reported by checkDefinitionsUsed).
func parseKeySchema(ks []keySchemaIn, member string, defs map[string]attr.Type) (keyDef, error) {
	var k keyDef
	if len(ks) == 0 {
		return k, notNull(member)
	}
	if len(ks) > 2 {
		return k, constraint(keySchemaText(ks), member, awsproto.MaxLength(2))
	}
	if *ks[0].KeyType != "HASH" {
		return k, validationf("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 {
		if *ks[1].KeyType != "RANGE" {
			return k, validationf("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
		}
		if *ks[0].AttributeName == *ks[1].AttributeName {
			return k, validationf("Both the Hash Key and the Range Key element in the KeySchema have the same name")
		}
	}
	k.hash = *ks[0].AttributeName
	if len(ks) == 2 {
		k.rng = *ks[1].AttributeName
	}
	return k.typed(defs), nil
}

// typed returns k with its attribute types from defs.
func (k keyDef) typed(defs map[string]attr.Type) keyDef {
	k.hashT = defs[k.hash]
	if k.rng != "" {
		k.rngT = defs[k.rng]
	}
	if k.multi != nil {
		m := &multiKey{hashes: append([]keyPart(nil), k.multi.hashes...), ranges: append([]keyPart(nil), k.multi.ranges...)}
		for i := range m.hashes {
			m.hashes[i].typ = defs[m.hashes[i].name]
		}
		for i := range m.ranges {
			m.ranges[i].typ = defs[m.ranges[i].name]
		}
		k.multi = m
	}
	return k
}

// parseGlobalKeySchema validates a global index's key schema, which may
// name up to four partition attributes (HASH) followed by up to four sort
// attributes (RANGE). A schema of one HASH and at most one RANGE is the
// usual key. AWS's wording of the refusals particular to multi-attribute
// keys are those a catalogue of live answers records (docs/dynamodb.md).
func parseGlobalKeySchema(ks []keySchemaIn, member string, defs map[string]attr.Type) (keyDef, error) {
	if len(ks) < 2 || len(ks) == 2 && *ks[1].KeyType == "RANGE" || *ks[0].KeyType != "HASH" {
		return parseKeySchema(ks, member, defs)
	}
	if len(ks) > 2*maxKeyParts {
		return keyDef{}, constraint(keySchemaText(ks), member, awsproto.MaxLength(2*maxKeyParts))
	}
	m := &multiKey{}
	seen := make(map[string]bool, len(ks))
	for _, e := range ks {
		name := *e.AttributeName
		if seen[name] {
			return keyDef{}, validationf("The KeySchema contains multiple key attributes with the same name")
		}
		seen[name] = true
		if *e.KeyType == "HASH" {
			if len(m.ranges) > 0 {
				return keyDef{}, validationf("One or more parameter values were invalid: All HASH key attributes must precede RANGE key attributes in the KeySchema")
			}
			m.hashes = append(m.hashes, keyPart{name: name})
		} else {
			m.ranges = append(m.ranges, keyPart{name: name})
		}
	}
	for kind, n := range map[string]int{"HASH": len(m.hashes), "RANGE": len(m.ranges)} {
		if n > maxKeyParts {
			return keyDef{}, validationf("One or more parameter values were invalid: The KeySchema exceeds the maximum allowed number of %s key attributes", kind)
		}
	}
	k := keyDef{hash: m.hashes[0].name, multi: m}
	if len(m.ranges) > 0 {
		k.rng = m.ranges[0].name
	}
	return k.typed(defs), nil
}

func keySchemaText(ks []keySchemaIn) string {
	parts := make([]string, len(ks))
	for i, e := range ks {
		parts[i] = fmt.Sprintf("KeySchemaElement(attributeName=%s, keyType=%s)", *e.AttributeName, *e.KeyType)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// parseAttrDefs validates AttributeDefinitions.
func parseAttrDefs(defs []attributeDefinitionIn) (map[string]attr.Type, []attrDef, error) {
	m := make(map[string]attr.Type, len(defs))
	list := make([]attrDef, 0, len(defs))
	for _, d := range defs {
		var t attr.Type
		switch *d.AttributeType {
		case "S":
			t = attr.S
		case "N":
			t = attr.N
		case "B":
			t = attr.B
		}
		name := *d.AttributeName
		if _, dup := m[name]; dup {
			return nil, nil, validationf("Attribute Name is duplicated: %s", name)
		}
		m[name] = t
		list = append(list, attrDef{name: name, typ: t})
	}
	return m, list, nil
}

// parseProjection validates an index projection.
func parseProjection(p *projectionWire, indexName string) (string, []string, error) {
	if p == nil {
		return "", nil, validationf("One or more parameter values were invalid: Projection must not be null for index: %s", indexName)
	}
	switch p.ProjectionType {
	case "ALL", "KEYS_ONLY":
		if len(p.NonKeyAttributes) > 0 {
			return "", nil, validationf("One or more parameter values were invalid: ProjectionType is %s, but NonKeyAttributes is specified", p.ProjectionType)
		}
		return p.ProjectionType, nil, nil
	case "INCLUDE":
		if len(p.NonKeyAttributes) == 0 {
			return "", nil, validationf("One or more parameter values were invalid: ProjectionType is INCLUDE, but NonKeyAttributes is not specified")
		}
		inc := append([]string(nil), p.NonKeyAttributes...)
		sort.Strings(inc)
		for i := 1; i < len(inc); i++ {
			if inc[i] == inc[i-1] {
				return "", nil, validationf("One or more parameter values were invalid: Duplicate element in NonKeyAttributes: %s", inc[i])
			}
		}
		return "INCLUDE", inc, nil
	}
	return "ALL", nil, nil
}

// msgThroughputRequired is AWS's message for provisioned billing without
// (complete) throughput.
const msgThroughputRequired = "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED"

// Refusals of a provisioned global index without throughput: CreateTable's,
// UpdateTable's (a catalogue of live answers records both) and a restore's
// (unconfirmed).
func throughputNotSpecified(index string) error {
	return validationf("One or more parameter values were invalid: ProvisionedThroughput is not specified for index: %s", index)
}
func throughputMustBeSpecified(index string) error {
	return validationf("One or more parameter values were invalid: ProvisionedThroughput must be specified for index: %s", index)
}
func throughputRequired(string) error { return validationf(msgThroughputRequired) }

// units returns the throughput a request gave (its members are required
// and at least 1 by the model), or nil.
func (tp *throughputWire) units() *capacity {
	if tp == nil || tp.ReadCapacityUnits == nil || tp.WriteCapacityUnits == nil {
		return nil
	}
	return &capacity{r: *tp.ReadCapacityUnits, w: *tp.WriteCapacityUnits}
}

// settleThroughput checks a global index's throughput against the table's
// billing mode and keeps it when provisioned. missing words the refusal of
// a provisioned index without throughput, which differs by operation.
func (sp *indexSpec) settleThroughput(billing string, missing func(index string) error) error {
	switch {
	case !sp.global:
	case billing == "PROVISIONED":
		if sp.tp == nil {
			return missing(sp.name)
		}
		sp.rcu, sp.wcu = sp.tp.r, sp.tp.w
	case sp.tp != nil:
		return validationf("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", sp.name)
	}
	return nil
}

// parseIndex validates the n-th (from 1) local or global index of a
// request. A global index's throughput is settled by the caller, which
// knows the billing mode.
func parseIndex(w indexWire, global bool, n int, defs map[string]attr.Type, tableKey keyDef) (indexSpec, error) {
	member := "localSecondaryIndexes"
	if global {
		member = "globalSecondaryIndexes"
	}
	name, err := checkTableName(w.IndexName, fmt.Sprintf("%s.%d.member.indexName", member, n))
	if err != nil {
		return indexSpec{}, err
	}
	parse := parseKeySchema
	if global {
		parse = parseGlobalKeySchema
	}
	k, err := parse(w.KeySchema, fmt.Sprintf("%s.%d.member.keySchema", member, n), defs)
	if err != nil {
		return indexSpec{}, err
	}
	spec := indexSpec{name: name, global: global, key: k}
	if !global {
		if k.hash != tableKey.hash {
			return spec, validationf("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", name, k.hash, tableKey.hash)
		}
		if k.rng == "" {
			return spec, validationf("One or more parameter values were invalid: Index KeySchema does not have a range key for index: %s", name)
		}
		if !tableKey.hasRange() {
			return spec, validationf("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
	}
	if spec.projection, spec.include, err = parseProjection(w.Projection, name); err != nil {
		return spec, err
	}
	if global {
		spec.tp = w.ProvisionedThroughput.units()
		if w.ProvisionedThroughput != nil && spec.tp == nil {
			return spec, validationf(msgThroughputRequired)
		}
	}
	return spec, nil
}

// checkDefinitionsUsed rejects key attributes without a definition and
// definitions no key uses, with AWS's messages.
func checkDefinitionsUsed(defs map[string]attr.Type, key keyDef, specs []indexSpec) error {
	used := map[string]bool{}
	for _, n := range key.names() {
		used[n] = true
	}
	for _, sp := range specs {
		for _, n := range sp.key.names() {
			used[n] = true
		}
	}
	var missing, defined, keys []string
	for n := range used {
		keys = append(keys, n)
		if _, ok := defs[n]; !ok {
			missing = append(missing, n)
		}
	}
	for n := range defs {
		defined = append(defined, n)
	}
	sort.Strings(missing)
	sort.Strings(defined)
	sort.Strings(keys)
	list := func(ss []string) string { return "[" + strings.Join(ss, ", ") + "]" }
	if len(missing) > 0 {
		if len(specs) == 0 {
			return validationf("Invalid KeySchema: Some index key attribute have no definition")
		}
		return validationf("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: %s, AttributeDefinitions: %s", list(missing), list(defined))
	}
	if len(defined) > len(keys) {
		if len(specs) == 0 {
			return validationf("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
		}
		return validationf("One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: %s, keys used: %s", list(defined), list(keys))
	}
	return nil
}

// parseStreamSpec returns the stream view type a StreamSpecification asks
// for ("" for no stream); creating says whether CreateTable asks, whose
// refusals AWS words apart from UpdateTable's.
func parseStreamSpec(sp *streamSpecWire, creating bool) (string, error) {
	if sp == nil || sp.StreamEnabled == nil {
		return "", nil
	}
	if !*sp.StreamEnabled {
		if sp.StreamViewType != "" {
			if creating {
				return "", validationf("One or more parameter values were invalid: Table is being created with a stream disabled, UpdateViewType should not be specified")
			}
			return "", validationf("One or more parameter values were invalid: If stream is being disabled, then UpdateViewType must not be specified")
		}
		return "", nil
	}
	if sp.StreamViewType == "" {
		if creating {
			return "", validationf("One or more parameter values were invalid: Table is being created with a stream enabled, UpdateViewType is required")
		}
		return "", validationf("One or more parameter values were invalid: If stream is being enabled then UpdateViewType is required")
	}
	return sp.StreamViewType, nil
}

func parseTags(in []tagWire) []tag {
	out := make([]tag, 0, len(in))
	for _, t := range in {
		out = append(out, tag{key: *t.Key, value: *t.Value})
	}
	return out
}
