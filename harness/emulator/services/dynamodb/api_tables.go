package dynamodb

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/services/dynamodb/attr"
)

// Wire shapes of the control plane.
type keySchemaElement struct {
	AttributeName string
	KeyType       string
}

type attributeDefinition struct {
	AttributeName string
	AttributeType string
}

type projectionWire struct {
	ProjectionType   string   `json:",omitempty"`
	NonKeyAttributes []string `json:",omitempty"`
}

type throughputWire struct {
	ReadCapacityUnits  *int64
	WriteCapacityUnits *int64
}

type indexWire struct {
	IndexName             *string
	KeySchema             []keySchemaElement
	Projection            *projectionWire
	ProvisionedThroughput *throughputWire
}

type streamSpecWire struct {
	StreamEnabled  *bool
	StreamViewType string `json:",omitempty"`
}

type tagWire struct {
	Key   *string
	Value *string
}

type createTableInput struct {
	TableName                 *string
	AttributeDefinitions      []attributeDefinition
	KeySchema                 []keySchemaElement
	LocalSecondaryIndexes     []indexWire
	GlobalSecondaryIndexes    []indexWire
	BillingMode               string
	ProvisionedThroughput     *throughputWire
	StreamSpecification       *streamSpecWire
	Tags                      []tagWire
	DeletionProtectionEnabled bool
	TableClass                string
}

// validationf builds a ValidationException.
func validationf(format string, args ...any) error { return errValidation.Errorf(format, args...) }

// notNull is AWS's message for a missing required member.
func notNull(member string) error { return awsproto.NotNull(errValidation, member) }

// constraint is AWS's message for a member whose value breaks rule.
func constraint(value, member, rule string) error {
	return awsproto.Constraint(errValidation, value, member, rule)
}

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

// tableRef resolves a TableName member (a name or a table ARN).
func (s *Service) tableRef(c *awsproto.Call, name *string) (*table, error) {
	if name != nil && strings.HasPrefix(*name, "arn:") {
		region, tname, ok := parseTableARN(*name)
		if !ok {
			return nil, validationf("Invalid TableName: %s", *name)
		}
		if t := s.store.region(region).table(tname); t != nil {
			return t, nil
		}
		return nil, errResourceNotFound.New(msgTableNotFound)
	}
	n, err := checkTableName(name, "tableName")
	if err != nil {
		return nil, err
	}
	if t := s.store.region(c.Region).table(n); t != nil {
		return t, nil
	}
	return nil, errResourceNotFound.New(msgTableNotFound)
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

// parseKeySchema validates a key schema against attribute definitions.
func parseKeySchema(ks []keySchemaElement, member string, defs map[string]attr.Type) (keyDef, error) {
	var k keyDef
	if len(ks) == 0 {
		return k, notNull(member)
	}
	if len(ks) > 2 {
		return k, constraint(keySchemaText(ks), member, awsproto.MaxLength(2))
	}
	for i, e := range ks {
		if e.KeyType != "HASH" && e.KeyType != "RANGE" {
			return k, constraint(e.KeyType, fmt.Sprintf("%s.%d.member.keyType", member, i+1), awsproto.EnumSet("HASH", "RANGE"))
		}
		if e.AttributeName == "" {
			return k, constraint("", fmt.Sprintf("%s.%d.member.attributeName", member, i+1), awsproto.MinLength(1))
		}
	}
	if ks[0].KeyType != "HASH" {
		return k, validationf("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 {
		if ks[1].KeyType != "RANGE" {
			return k, validationf("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
		}
		if ks[0].AttributeName == ks[1].AttributeName {
			return k, validationf("Both the Hash Key and the Range Key element in the KeySchema have the same name")
		}
	}
	k.hash = ks[0].AttributeName
	k.hashT = defs[k.hash]
	if len(ks) == 2 {
		k.rng = ks[1].AttributeName
		k.rngT = defs[k.rng]
	}
	return k, nil
}

func keySchemaText(ks []keySchemaElement) string {
	parts := make([]string, len(ks))
	for i, e := range ks {
		parts[i] = fmt.Sprintf("KeySchemaElement(attributeName=%s, keyType=%s)", e.AttributeName, e.KeyType)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// parseAttrDefs validates AttributeDefinitions.
func parseAttrDefs(defs []attributeDefinition) (map[string]attr.Type, []attrDef, error) {
	m := make(map[string]attr.Type, len(defs))
	list := make([]attrDef, 0, len(defs))
	for i, d := range defs {
		var t attr.Type
		switch d.AttributeType {
		case "S":
			t = attr.S
		case "N":
			t = attr.N
		case "B":
			t = attr.B
		default:
			return nil, nil, constraint(d.AttributeType, fmt.Sprintf("attributeDefinitions.%d.member.attributeType", i+1), awsproto.EnumSet("B", "N", "S"))
		}
		if _, dup := m[d.AttributeName]; dup {
			return nil, nil, validationf("Cannot have two attributes with the same name. Attribute name: %s", d.AttributeName)
		}
		m[d.AttributeName] = t
		list = append(list, attrDef{name: d.AttributeName, typ: t})
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
			return "", nil, validationf("One or more parameter values were invalid: NonKeyAttributes must not be empty when ProjectionType is INCLUDE for index: %s", indexName)
		}
		inc := append([]string(nil), p.NonKeyAttributes...)
		sort.Strings(inc)
		for i := 1; i < len(inc); i++ {
			if inc[i] == inc[i-1] {
				return "", nil, validationf("One or more parameter values were invalid: Duplicate attribute name in NonKeyAttributes: %s", inc[i])
			}
		}
		return "INCLUDE", inc, nil
	case "":
		return "ALL", nil, nil
	}
	return "", nil, constraint(p.ProjectionType, "projection.projectionType", awsproto.EnumSet("ALL", "INCLUDE", "KEYS_ONLY"))
}

// checkThroughput validates provisioned capacity units.
func checkThroughput(tp *throughputWire, what string) (int64, int64, error) {
	if tp == nil || tp.ReadCapacityUnits == nil || tp.WriteCapacityUnits == nil {
		return 0, 0, validationf("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	}
	r, w := *tp.ReadCapacityUnits, *tp.WriteCapacityUnits
	if r < 1 || w < 1 {
		return 0, 0, validationf("One or more parameter values were invalid: Provisioned throughput for %s must be at least 1 (ReadCapacityUnits: %d, WriteCapacityUnits: %d)", what, r, w)
	}
	return r, w, nil
}

// indexSpec is a validated index definition.
type indexSpec struct {
	name       string
	global     bool
	key        keyDef
	projection string
	include    []string
	rcu, wcu   int64
}

func parseIndex(w indexWire, global bool, n int, defs map[string]attr.Type, tableKey keyDef, billing string) (indexSpec, error) {
	member := "localSecondaryIndexes"
	if global {
		member = "globalSecondaryIndexes"
	}
	name, err := checkTableName(w.IndexName, fmt.Sprintf("%s.%d.member.indexName", member, n))
	if err != nil {
		return indexSpec{}, err
	}
	k, err := parseKeySchema(w.KeySchema, fmt.Sprintf("%s.%d.member.keySchema", member, n), defs)
	if err != nil {
		return indexSpec{}, err
	}
	spec := indexSpec{name: name, global: global, key: k}
	if !global {
		if k.hash != tableKey.hash {
			return spec, validationf("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", name, k.hash, tableKey.hash)
		}
		if k.rng == "" {
			return spec, validationf("One or more parameter values were invalid: Index KeySchema must have a range key for index: %s", name)
		}
		if !tableKey.hasRange() {
			return spec, validationf("One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex")
		}
	}
	spec.projection, spec.include, err = parseProjection(w.Projection, name)
	if err != nil {
		return spec, err
	}
	if global {
		switch {
		case billing == "PROVISIONED":
			spec.rcu, spec.wcu, err = checkThroughput(w.ProvisionedThroughput, "index "+name)
			if err != nil {
				return spec, err
			}
		case w.ProvisionedThroughput != nil:
			return spec, validationf("One or more parameter values were invalid: ProvisionedThroughput should not be specified for index: %s when BillingMode is PAY_PER_REQUEST", name)
		}
	}
	return spec, nil
}

func (s *Service) createTable(c *awsproto.Call, body []byte) (any, error) {
	var in createTableInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	name, err := checkTableName(in.TableName, "tableName")
	if err != nil {
		return nil, err
	}
	if in.AttributeDefinitions == nil {
		return nil, notNull("attributeDefinitions")
	}
	defs, defList, err := parseAttrDefs(in.AttributeDefinitions)
	if err != nil {
		return nil, err
	}
	key, err := parseKeySchema(in.KeySchema, "keySchema", defs)
	if err != nil {
		return nil, err
	}
	billing := in.BillingMode
	switch billing {
	case "":
		billing = "PROVISIONED"
	case "PROVISIONED", "PAY_PER_REQUEST":
	default:
		return nil, constraint(billing, "billingMode", awsproto.EnumSet("PROVISIONED", "PAY_PER_REQUEST"))
	}
	var rcu, wcu int64
	if billing == "PROVISIONED" {
		if in.ProvisionedThroughput == nil {
			return nil, validationf("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
		if rcu, wcu, err = checkThroughput(in.ProvisionedThroughput, "the table"); err != nil {
			return nil, err
		}
	} else if in.ProvisionedThroughput != nil {
		return nil, validationf("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
	}
	if in.GlobalSecondaryIndexes != nil && len(in.GlobalSecondaryIndexes) == 0 {
		return nil, validationf("One or more parameter values were invalid: List of GlobalSecondaryIndexes is empty")
	}
	if in.LocalSecondaryIndexes != nil && len(in.LocalSecondaryIndexes) == 0 {
		return nil, validationf("One or more parameter values were invalid: List of LocalSecondaryIndexes is empty")
	}
	if len(in.GlobalSecondaryIndexes) > maxGSIs {
		return nil, errLimitExceeded.Errorf("Subscriber limit exceeded: The number of global secondary indexes exceeds the limit of %d", maxGSIs)
	}
	if len(in.LocalSecondaryIndexes) > maxLSIs {
		return nil, validationf("One or more parameter values were invalid: Number of LocalSecondaryIndexes exceeds per-table limit of %d", maxLSIs)
	}
	var specs []indexSpec
	seen := map[string]bool{}
	for i, w := range in.LocalSecondaryIndexes {
		sp, err := parseIndex(w, false, i+1, defs, key, billing)
		if err != nil {
			return nil, err
		}
		specs = append(specs, sp)
	}
	for i, w := range in.GlobalSecondaryIndexes {
		sp, err := parseIndex(w, true, i+1, defs, key, billing)
		if err != nil {
			return nil, err
		}
		specs = append(specs, sp)
	}
	for _, sp := range specs {
		if seen[sp.name] {
			return nil, validationf("One or more parameter values were invalid: Duplicate index name: %s", sp.name)
		}
		seen[sp.name] = true
	}
	if err := checkDefinitionsUsed(defs, key, specs); err != nil {
		return nil, err
	}
	streamOn, viewType, err := parseStreamSpec(in.StreamSpecification)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(in.Tags)
	if err != nil {
		return nil, err
	}
	region := s.store.region(c.Region)
	now := s.env.Now()
	t := &table{
		store:   s.store,
		region:  c.Region,
		name:    name,
		arn:     fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", c.Region, s.env.Account, name),
		id:      s.env.NewID(),
		created: now,
		key:     key,
		items:   newItemTree(),
		meta: tableMeta{
			attrDefs: defList, billing: billing, rcu: rcu, wcu: wcu, billingChanged: now,
			tags: tags, deletionProtection: in.DeletionProtectionEnabled, tableClass: in.TableClass,
		},
	}
	for _, sp := range specs {
		t.indexes = append(t.indexes, newIndex(t, sp, "ACTIVE"))
	}
	var st *stream
	if streamOn {
		t.enableStream(viewType, now)
		st = t.stream
	}
	if err := region.addTable(t); err != nil {
		return nil, errResourceInUse.Errorf("Table already exists: %s", name)
	}
	if st != nil {
		region.mu.Lock()
		region.streams[st.arn] = st
		region.mu.Unlock()
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return map[string]any{"TableDescription": t.describe("CREATING", "CREATING")}, nil
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

func parseStreamSpec(sp *streamSpecWire) (bool, string, error) {
	if sp == nil {
		return false, "", nil
	}
	if sp.StreamEnabled == nil {
		return false, "", validationf("One or more parameter values were invalid: StreamSpecification must specify StreamEnabled")
	}
	if !*sp.StreamEnabled {
		if sp.StreamViewType != "" {
			return false, "", validationf("One or more parameter values were invalid: Can not set StreamViewType when StreamEnabled is false")
		}
		return false, "", nil
	}
	switch sp.StreamViewType {
	case "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES":
		return true, sp.StreamViewType, nil
	case "":
		return false, "", validationf("One or more parameter values were invalid: You must specify a StreamViewType when enabling a stream")
	}
	return false, "", constraint(sp.StreamViewType, "streamSpecification.streamViewType", awsproto.EnumSet("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"))
}

func parseTags(in []tagWire) ([]tag, error) {
	out := make([]tag, 0, len(in))
	for i, t := range in {
		if t.Key == nil {
			return nil, notNull(fmt.Sprintf("tags.%d.member.key", i+1))
		}
		if t.Value == nil {
			return nil, notNull(fmt.Sprintf("tags.%d.member.value", i+1))
		}
		if len(*t.Key) < 1 || len(*t.Key) > 128 {
			return nil, constraint(*t.Key, fmt.Sprintf("tags.%d.member.key", i+1), awsproto.LengthBetween(1, 128))
		}
		out = append(out, tag{key: *t.Key, value: *t.Value})
	}
	return out, nil
}

// newIndex builds an index for t from its spec.
func newIndex(t *table, sp indexSpec, status string) *index {
	return &index{
		name: sp.name, global: sp.global, key: sp.key, projection: sp.projection, include: sp.include,
		rcu: sp.rcu, wcu: sp.wcu, arn: t.arn + "/index/" + sp.name, status: status, tree: newIndexTree(),
	}
}

// enableStream starts a new stream (with the table locked or not yet
// shared).
func (t *table) enableStream(viewType string, now time.Time) {
	st := newStream(t, viewType, now, t.store.seq.Load()+1)
	t.stream = st
	t.meta.streamEnabled = true
	t.meta.streamViewType = viewType
	t.meta.latestStreamARN = st.arn
	t.meta.latestStreamLabel = st.label
}

// describe renders the TableDescription (with the table at least
// read-locked). indexStatus overrides the status of every index (for
// CreateTable's response), "" keeps their own.
func (t *table) describe(status, indexStatus string) map[string]any {
	defs := make([]attributeDefinition, len(t.meta.attrDefs))
	for i, d := range t.meta.attrDefs {
		defs[i] = attributeDefinition{AttributeName: d.name, AttributeType: d.typ.String()}
	}
	d := map[string]any{
		"TableName":                 t.name,
		"TableArn":                  t.arn,
		"TableId":                   t.id,
		"TableStatus":               status,
		"CreationDateTime":          epoch(t.created),
		"AttributeDefinitions":      defs,
		"KeySchema":                 keySchemaWire(t.key),
		"ItemCount":                 t.items.Len(),
		"TableSizeBytes":            t.bytes,
		"ProvisionedThroughput":     throughputDesc(t.meta.rcu, t.meta.wcu),
		"DeletionProtectionEnabled": t.meta.deletionProtection,
	}
	if t.meta.billing == "PAY_PER_REQUEST" {
		d["BillingModeSummary"] = map[string]any{"BillingMode": "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime": epoch(t.meta.billingChanged)}
	}
	if t.meta.tableClass != "" {
		d["TableClassSummary"] = map[string]any{"TableClass": t.meta.tableClass}
	}
	var lsis, gsis []map[string]any
	for _, ix := range t.indexes {
		proj := projectionWire{ProjectionType: ix.projection, NonKeyAttributes: ix.include}
		m := map[string]any{
			"IndexName":      ix.name,
			"IndexArn":       ix.arn,
			"KeySchema":      keySchemaWire(ix.key),
			"Projection":     proj,
			"IndexSizeBytes": ix.bytes,
			"ItemCount":      ix.tree.Len(),
		}
		if ix.global {
			st := ix.status
			if indexStatus != "" {
				st = indexStatus
			}
			m["IndexStatus"] = st
			m["ProvisionedThroughput"] = throughputDesc(ix.rcu, ix.wcu)
			gsis = append(gsis, m)
		} else {
			lsis = append(lsis, m)
		}
	}
	if lsis != nil {
		d["LocalSecondaryIndexes"] = lsis
	}
	if gsis != nil {
		d["GlobalSecondaryIndexes"] = gsis
	}
	if t.meta.streamEnabled {
		d["StreamSpecification"] = map[string]any{"StreamEnabled": true, "StreamViewType": t.meta.streamViewType}
	}
	if t.meta.latestStreamARN != "" {
		d["LatestStreamArn"] = t.meta.latestStreamARN
		d["LatestStreamLabel"] = t.meta.latestStreamLabel
	}
	return d
}

func keySchemaWire(k keyDef) []keySchemaElement {
	out := []keySchemaElement{{AttributeName: k.hash, KeyType: "HASH"}}
	if k.rng != "" {
		out = append(out, keySchemaElement{AttributeName: k.rng, KeyType: "RANGE"})
	}
	return out
}

func throughputDesc(r, w int64) map[string]any {
	return map[string]any{"NumberOfDecreasesToday": 0, "ReadCapacityUnits": r, "WriteCapacityUnits": w}
}

// epoch renders a time as awsJson timestamps: seconds with milliseconds.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (s *Service) describeTable(c *awsproto.Call, body []byte) (any, error) {
	var in struct{ TableName *string }
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	t, err := s.tableRef(c, in.TableName)
	if err != nil {
		if e, ok := err.(*awsproto.Error); ok && e.Code == errResourceNotFound.Name && in.TableName != nil {
			return nil, errResourceNotFound.Errorf("Requested resource not found: Table: %s not found", *in.TableName)
		}
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	return map[string]any{"Table": t.describe("ACTIVE", "")}, nil
}

func (s *Service) listTables(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		ExclusiveStartTableName *string
		Limit                   *int
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	limit := 100
	if in.Limit != nil {
		if err := awsproto.CheckValue(errValidation, *in.Limit, "limit", 1, 100); err != nil {
			return nil, err
		}
		limit = *in.Limit
	}
	names := s.store.region(c.Region).tableNames()
	start := 0
	if in.ExclusiveStartTableName != nil {
		start = sort.SearchStrings(names, *in.ExclusiveStartTableName)
		if start < len(names) && names[start] == *in.ExclusiveStartTableName {
			start++
		}
	}
	page := names[start:]
	out := map[string]any{}
	if len(page) > limit {
		page = page[:limit]
		out["LastEvaluatedTableName"] = page[len(page)-1]
	}
	out["TableNames"] = append([]string{}, page...)
	return out, nil
}

func (s *Service) deleteTable(c *awsproto.Call, body []byte) (any, error) {
	var in struct{ TableName *string }
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	t, err := s.tableRef(c, in.TableName)
	if err != nil {
		if e, ok := err.(*awsproto.Error); ok && e.Code == errResourceNotFound.Name && in.TableName != nil {
			return nil, errResourceNotFound.Errorf("Requested resource not found: Table: %s not found", *in.TableName)
		}
		return nil, err
	}
	t.mu.RLock()
	if t.meta.deletionProtection {
		t.mu.RUnlock()
		return nil, validationf("Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.")
	}
	desc := t.describe("DELETING", "DELETING")
	t.mu.RUnlock()
	s.store.region(t.region).removeTable(t)
	return map[string]any{"TableDescription": desc}, nil
}

type updateTableInput struct {
	TableName                   *string
	AttributeDefinitions        []attributeDefinition
	BillingMode                 string
	ProvisionedThroughput       *throughputWire
	StreamSpecification         *streamSpecWire
	DeletionProtectionEnabled   *bool
	TableClass                  string
	GlobalSecondaryIndexUpdates []struct {
		Create *indexWire
		Delete *struct{ IndexName *string }
		Update *struct {
			IndexName             *string
			ProvisionedThroughput *throughputWire
		}
	}
}

func (s *Service) updateTable(c *awsproto.Call, body []byte) (any, error) {
	var in updateTableInput
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	t, err := s.tableRef(c, in.TableName)
	if err != nil {
		return nil, err
	}
	if in.BillingMode != "" && in.BillingMode != "PROVISIONED" && in.BillingMode != "PAY_PER_REQUEST" {
		return nil, constraint(in.BillingMode, "billingMode", awsproto.EnumSet("PROVISIONED", "PAY_PER_REQUEST"))
	}
	var streamOn bool
	var viewType string
	if in.StreamSpecification != nil {
		if streamOn, viewType, err = parseStreamSpec(in.StreamSpecification); err != nil {
			return nil, err
		}
	}
	if in.BillingMode == "" && in.ProvisionedThroughput == nil && in.StreamSpecification == nil &&
		in.DeletionProtectionEnabled == nil && in.TableClass == "" && len(in.GlobalSecondaryIndexUpdates) == 0 {
		return nil, validationf("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, DeletionProtectionEnabled or TableClass must be specified")
	}
	region := s.store.region(t.region)
	now := s.env.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.deleted {
		return nil, errResourceNotFound.New(msgTableNotFound)
	}
	m := t.meta // changes apply only if everything validates
	billing := m.billing
	if in.BillingMode != "" {
		billing = in.BillingMode
	}
	switch {
	case billing == "PROVISIONED" && in.ProvisionedThroughput != nil:
		if m.rcu, m.wcu, err = checkThroughput(in.ProvisionedThroughput, "the table"); err != nil {
			return nil, err
		}
	case billing == "PROVISIONED" && m.billing == "PAY_PER_REQUEST":
		return nil, validationf("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
	case billing == "PAY_PER_REQUEST" && in.ProvisionedThroughput != nil:
		return nil, validationf("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
	}
	if billing != m.billing {
		m.billing = billing
		m.billingChanged = now
		if billing == "PAY_PER_REQUEST" {
			m.rcu, m.wcu = 0, 0
		}
	}
	if in.DeletionProtectionEnabled != nil {
		m.deletionProtection = *in.DeletionProtectionEnabled
	}
	if in.TableClass != "" {
		m.tableClass = in.TableClass
	}
	if in.StreamSpecification != nil {
		if streamOn && t.stream != nil {
			return nil, validationf("Table already has an enabled stream: TableName: %s", t.name)
		}
		if !streamOn && t.stream == nil {
			return nil, validationf("Table already has no stream enabled: TableName: %s", t.name)
		}
	}
	// Index changes: validate all, then apply.
	defs := map[string]attr.Type{}
	for _, d := range m.attrDefs {
		defs[d.name] = d.typ
	}
	if in.AttributeDefinitions != nil {
		newDefs, _, err := parseAttrDefs(in.AttributeDefinitions)
		if err != nil {
			return nil, err
		}
		for n, ty := range newDefs {
			if old, ok := defs[n]; ok && old != ty {
				return nil, validationf("Cannot change the type of an attribute already defined. Attribute: %s", n)
			}
			defs[n] = ty
		}
	}
	var creates []indexSpec
	deletes := map[string]bool{}
	updates := map[string][2]int64{}
	for i, u := range in.GlobalSecondaryIndexUpdates {
		n := 0
		if u.Create != nil {
			n++
		}
		if u.Delete != nil {
			n++
		}
		if u.Update != nil {
			n++
		}
		if n != 1 {
			return nil, validationf("One or more parameter values were invalid: One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null")
		}
		switch {
		case u.Create != nil:
			sp, err := parseIndex(*u.Create, true, i+1, defs, t.key, billing)
			if err != nil {
				return nil, err
			}
			for _, n := range sp.key.names() {
				if _, ok := defs[n]; !ok {
					return nil, validationf("One or more parameter values were invalid: Global Secondary Index range key not specified in Attribute Definitions.Type unknown.")
				}
			}
			if t.indexNamed(sp.name) != nil {
				return nil, validationf("One or more parameter values were invalid: Index with name: %s already exists", sp.name)
			}
			creates = append(creates, sp)
		case u.Delete != nil:
			name := ""
			if u.Delete.IndexName != nil {
				name = *u.Delete.IndexName
			}
			ix := t.indexNamed(name)
			if ix == nil || !ix.global {
				return nil, errResourceNotFound.Errorf("Requested resource not found: Requested index %s not found", name)
			}
			deletes[name] = true
		case u.Update != nil:
			name := ""
			if u.Update.IndexName != nil {
				name = *u.Update.IndexName
			}
			ix := t.indexNamed(name)
			if ix == nil || !ix.global {
				return nil, errResourceNotFound.Errorf("Requested resource not found: Requested index %s not found", name)
			}
			r, w, err := checkThroughput(u.Update.ProvisionedThroughput, "index "+name)
			if err != nil {
				return nil, err
			}
			updates[name] = [2]int64{r, w}
		}
	}
	if len(creates) > 1 || len(creates)+len(deletes) > 1 && len(creates) > 0 {
		return nil, errLimitExceeded.New("Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table")
	}
	ngsi := 0
	for _, ix := range t.indexes {
		if ix.global {
			ngsi++
		}
	}
	if ngsi+len(creates) > maxGSIs {
		return nil, errLimitExceeded.Errorf("Subscriber limit exceeded: The number of global secondary indexes exceeds the limit of %d", maxGSIs)
	}
	// Everything validated: apply.
	if in.AttributeDefinitions != nil || len(creates) > 0 {
		m.attrDefs = usedDefs(defs, t.key, t.indexes, creates, deletes)
	} else if len(deletes) > 0 {
		m.attrDefs = usedDefs(defs, t.key, t.indexes, nil, deletes)
	}
	t.meta = m
	indexStatus := map[string]string{}
	kept := t.indexes[:0:0]
	for _, ix := range t.indexes {
		if deletes[ix.name] {
			continue
		}
		if u, ok := updates[ix.name]; ok {
			ix.rcu, ix.wcu = u[0], u[1]
		}
		kept = append(kept, ix)
	}
	var deleted []*index
	for _, ix := range t.indexes {
		if deletes[ix.name] {
			deleted = append(deleted, ix)
		}
	}
	t.indexes = kept
	for _, sp := range creates {
		ix := newIndex(t, sp, "ACTIVE")
		t.backfill(ix)
		t.indexes = append(t.indexes, ix)
		indexStatus[ix.name] = "CREATING"
	}
	if in.StreamSpecification != nil {
		if streamOn {
			t.enableStream(viewType, now)
			region.mu.Lock()
			region.streams[t.stream.arn] = t.stream
			region.mu.Unlock()
		} else {
			t.stream.disable(now)
			t.stream = nil
			t.meta.streamEnabled = false
			t.meta.streamViewType = ""
		}
	}
	desc := t.describe("UPDATING", "")
	if len(deleted) > 0 || len(creates) > 0 {
		gsis, _ := desc["GlobalSecondaryIndexes"].([]map[string]any)
		for _, ix := range deleted {
			gsis = append(gsis, map[string]any{
				"IndexName": ix.name, "IndexArn": ix.arn, "KeySchema": keySchemaWire(ix.key),
				"Projection":  projectionWire{ProjectionType: ix.projection, NonKeyAttributes: ix.include},
				"IndexStatus": "DELETING", "ProvisionedThroughput": throughputDesc(ix.rcu, ix.wcu),
				"IndexSizeBytes": ix.bytes, "ItemCount": ix.tree.Len(),
			})
		}
		for _, g := range gsis {
			if st, ok := indexStatus[g["IndexName"].(string)]; ok {
				g["IndexStatus"] = st
			}
		}
		desc["GlobalSecondaryIndexes"] = gsis
	}
	return map[string]any{"TableDescription": desc}, nil
}

// usedDefs keeps the attribute definitions the table's keys still use.
func usedDefs(defs map[string]attr.Type, key keyDef, indexes []*index, creates []indexSpec, deletes map[string]bool) []attrDef {
	used := map[string]bool{}
	for _, n := range key.names() {
		used[n] = true
	}
	for _, ix := range indexes {
		if !deletes[ix.name] {
			for _, n := range ix.key.names() {
				used[n] = true
			}
		}
	}
	for _, sp := range creates {
		for _, n := range sp.key.names() {
			used[n] = true
		}
	}
	var out []attrDef
	for n, ty := range defs {
		if used[n] {
			out = append(out, attrDef{name: n, typ: ty})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// indexNamed returns the table's index of that name (table locked).
func (t *table) indexNamed(name string) *index {
	for _, ix := range t.indexes {
		if ix.name == name {
			return ix
		}
	}
	return nil
}

// backfill fills a new index from the table's items (table write-locked).
func (t *table) backfill(ix *index) {
	t.items.Ascend(func(e *entry) bool {
		it := mustDecode(e.data)
		if ie := ix.ientryFor(it, e, t.key); ie != nil {
			ix.tree.ReplaceOrInsert(ie)
			ix.bytes += int64(ie.psize)
		}
		return true
	})
}

func (s *Service) describeTimeToLive(c *awsproto.Call, body []byte) (any, error) {
	var in struct{ TableName *string }
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	t, err := s.tableRef(c, in.TableName)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.ttlAttr == "" {
		return map[string]any{"TimeToLiveDescription": map[string]any{"TimeToLiveStatus": "DISABLED"}}, nil
	}
	return map[string]any{"TimeToLiveDescription": map[string]any{"TimeToLiveStatus": "ENABLED", "AttributeName": t.ttlAttr}}, nil
}

func (s *Service) updateTimeToLive(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		TableName               *string
		TimeToLiveSpecification *struct {
			Enabled       *bool
			AttributeName *string
		}
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	t, err := s.tableRef(c, in.TableName)
	if err != nil {
		return nil, err
	}
	spec := in.TimeToLiveSpecification
	if spec == nil {
		return nil, notNull("timeToLiveSpecification")
	}
	if spec.Enabled == nil {
		return nil, notNull("timeToLiveSpecification.enabled")
	}
	if spec.AttributeName == nil {
		return nil, notNull("timeToLiveSpecification.attributeName")
	}
	name := *spec.AttributeName
	if len(name) < 1 || len(name) > 255 {
		return nil, constraint(name, "timeToLiveSpecification.attributeName", awsproto.MinLength(1))
	}
	t.mu.RLock()
	cur := t.ttlAttr
	t.mu.RUnlock()
	if *spec.Enabled {
		if cur != "" {
			return nil, validationf("TimeToLive is already enabled")
		}
		t.setTTL(name)
		s.store.sweeper.ensure()
	} else {
		if cur == "" {
			return nil, validationf("TimeToLive is already disabled")
		}
		if cur != name {
			return nil, validationf("TimeToLive is active on a different AttributeName: current AttributeName is %s", cur)
		}
		t.setTTL("")
	}
	return map[string]any{"TimeToLiveSpecification": map[string]any{"Enabled": *spec.Enabled, "AttributeName": name}}, nil
}

// resourceTable finds the table a tagging ARN names.
func (s *Service) resourceTable(arn *string) (*table, error) {
	if arn == nil {
		return nil, notNull("resourceArn")
	}
	region, _, ok := parseTableARN(*arn)
	if !ok {
		return nil, validationf("Invalid TableArn: Invalid ResourceArn provided as input %s", *arn)
	}
	t := s.store.region(region).tableByARN(*arn)
	if t == nil {
		return nil, errResourceNotFound.Errorf("Requested resource not found: ResourcArn: %s not found", *arn)
	}
	return t, nil
}

func (s *Service) tagResource(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		ResourceArn *string
		Tags        []tagWire
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	t, err := s.resourceTable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, notNull("tags")
	}
	tags, err := parseTags(in.Tags)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	next := append([]tag(nil), t.meta.tags...)
	for _, nt := range tags {
		replaced := false
		for i := range next {
			if next[i].key == nt.key {
				next[i].value = nt.value
				replaced = true
			}
		}
		if !replaced {
			next = append(next, nt)
		}
	}
	if len(next) > 50 {
		return nil, errLimitExceeded.New("Subscriber limit exceeded: The number of tags exceeds the limit of 50")
	}
	t.meta.tags = next
	return nil, nil
}

func (s *Service) untagResource(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		ResourceArn *string
		TagKeys     []string
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	t, err := s.resourceTable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	if in.TagKeys == nil {
		return nil, notNull("tagKeys")
	}
	drop := map[string]bool{}
	for _, k := range in.TagKeys {
		drop[k] = true
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	var kept []tag
	for _, tg := range t.meta.tags {
		if !drop[tg.key] {
			kept = append(kept, tg)
		}
	}
	t.meta.tags = kept
	return nil, nil
}

func (s *Service) listTagsOfResource(c *awsproto.Call, body []byte) (any, error) {
	var in struct {
		ResourceArn *string
		NextToken   *string
	}
	if err := awsproto.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	t, err := s.resourceTable(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make([]map[string]string, 0, len(t.meta.tags))
	for _, tg := range t.meta.tags {
		out = append(out, map[string]string{"Key": tg.key, "Value": tg.value})
	}
	return map[string]any{"Tags": out}, nil
}

func (s *Service) describeEndpoints(c *awsproto.Call, body []byte) (any, error) {
	addr := s.env.Host
	if addr == "" {
		addr = "dynamodb." + c.Region + ".amazonaws.com"
	}
	return map[string]any{"Endpoints": []map[string]any{{"Address": addr, "CachePeriodInMinutes": 1440}}}, nil
}

func (s *Service) describeLimits(c *awsproto.Call, body []byte) (any, error) {
	return map[string]any{
		"AccountMaxReadCapacityUnits":  80000,
		"AccountMaxWriteCapacityUnits": 80000,
		"TableMaxReadCapacityUnits":    40000,
		"TableMaxWriteCapacityUnits":   40000,
	}, nil
}
