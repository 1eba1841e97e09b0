package dynamodb

import "time"

// tableDescription is a TableDescription as the API returns it.
type tableDescription map[string]any

type keySchemaElement struct {
	AttributeName string
	KeyType       string
}

type attributeDefinition struct {
	AttributeName string
	AttributeType string
}

// describe renders a table's description. indexStatus overrides the
// status of every index (CreateTable's and DeleteTable's responses), ""
// keeps their own.
func describe(t tableInfo, status, indexStatus string) tableDescription {
	defs := make([]attributeDefinition, len(t.meta.attrDefs))
	for i, d := range t.meta.attrDefs {
		defs[i] = attributeDefinition{AttributeName: d.name, AttributeType: d.typ.String()}
	}
	d := tableDescription{
		"TableName":                 t.name,
		"TableArn":                  t.arn,
		"TableId":                   t.id,
		"TableStatus":               status,
		"CreationDateTime":          epoch(t.created),
		"AttributeDefinitions":      defs,
		"KeySchema":                 keySchemaWire(t.key),
		"ItemCount":                 t.items,
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
		st := ix.status
		if indexStatus != "" {
			st = indexStatus
		}
		m := describeIndex(ix, st)
		if ix.global {
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
	if len(t.meta.replicas) > 0 {
		reps := make([]map[string]any, len(t.meta.replicas))
		for i, r := range t.meta.replicas {
			reps[i] = map[string]any{"RegionName": r, "ReplicaStatus": "ACTIVE"}
		}
		d["Replicas"], d["GlobalTableVersion"] = reps, "2019.11.21"
	}
	if r := t.restored; r != nil {
		rs := map[string]any{"RestoreDateTime": epoch(r.at), "RestoreInProgress": status == "CREATING"}
		if r.backupARN != "" {
			rs["SourceBackupArn"] = r.backupARN
		}
		if r.tableARN != "" {
			rs["SourceTableArn"] = r.tableARN
		}
		d["RestoreSummary"] = rs
	}
	if t.meta.latestStreamARN != "" {
		d["LatestStreamArn"] = t.meta.latestStreamARN
		d["LatestStreamLabel"] = t.meta.latestStreamLabel
	}
	return d
}

// describeIndex renders an index's description; local indexes have no
// status or throughput of their own.
func describeIndex(ix indexInfo, status string) map[string]any {
	m := map[string]any{
		"IndexName":      ix.name,
		"IndexArn":       ix.arn,
		"KeySchema":      keySchemaWire(ix.key),
		"Projection":     projectionWire{ProjectionType: ix.projection, NonKeyAttributes: ix.include},
		"IndexSizeBytes": ix.bytes,
		"ItemCount":      ix.items,
	}
	if ix.global {
		m["IndexStatus"] = status
		m["ProvisionedThroughput"] = throughputDesc(ix.rcu, ix.wcu)
	}
	return m
}

func keySchemaWire(k keyDef) []keySchemaElement {
	if k.multi != nil {
		out := make([]keySchemaElement, 0, len(k.multi.hashes)+len(k.multi.ranges))
		for _, p := range k.multi.hashes {
			out = append(out, keySchemaElement{AttributeName: p.name, KeyType: "HASH"})
		}
		for _, p := range k.multi.ranges {
			out = append(out, keySchemaElement{AttributeName: p.name, KeyType: "RANGE"})
		}
		return out
	}
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
