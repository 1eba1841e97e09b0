package logs

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// ---- transformers ----
//
// A transformer is stored per group and shown by GetTransformer as it was
// put. TestTransformer runs the common processors (transform below); events
// are stored untransformed.

type keyEntry struct {
	Key               string `json:"key" required:"true" min:"1" max:"128"`
	Value             string `json:"value" required:"true" min:"1" max:"256"`
	OverwriteIfExists bool   `json:"overwriteIfExists,omitempty"`
}

type renameEntry struct {
	Key               string `json:"key" required:"true" min:"1" max:"128"`
	RenameTo          string `json:"renameTo" required:"true" min:"1" max:"128"`
	OverwriteIfExists bool   `json:"overwriteIfExists,omitempty"`
}

type sourceTargetEntry struct {
	Source            string `json:"source" required:"true" min:"1" max:"128"`
	Target            string `json:"target" required:"true" min:"1" max:"128"`
	OverwriteIfExists bool   `json:"overwriteIfExists,omitempty"`
}

type substituteEntry struct {
	Source string `json:"source" required:"true" min:"1" max:"128"`
	From   string `json:"from" required:"true" min:"1" max:"128"`
	To     string `json:"to" required:"true" min:"1" max:"128"`
}

type splitEntry struct {
	Source    string `json:"source" required:"true" min:"1" max:"128"`
	Delimiter string `json:"delimiter" required:"true" min:"1" max:"128"`
}

type typeEntry struct {
	Key  string `json:"key" required:"true" min:"1" max:"128"`
	Type string `json:"type" required:"true" enum:"boolean,integer,double,string"`
}

type addKeysProc struct {
	Entries []keyEntry `json:"entries" required:"true" min:"1" max:"5"`
}
type copyValueProc struct {
	Entries []sourceTargetEntry `json:"entries" required:"true" min:"1" max:"5"`
}
type moveKeysProc struct {
	Entries []sourceTargetEntry `json:"entries" required:"true" min:"1" max:"5"`
}
type renameKeysProc struct {
	Entries []renameEntry `json:"entries" required:"true" min:"1" max:"5"`
}
type deleteKeysProc struct {
	WithKeys []string `json:"withKeys" required:"true" min:"1" max:"5"`
}
type withKeysProc struct {
	WithKeys []string `json:"withKeys" required:"true" min:"1" max:"10"`
}
type substituteProc struct {
	Entries []substituteEntry `json:"entries" required:"true" min:"1" max:"10"`
}
type splitProc struct {
	Entries []splitEntry `json:"entries" required:"true" min:"1" max:"10"`
}
type typeConverterProc struct {
	Entries []typeEntry `json:"entries" required:"true" min:"1" max:"5"`
}
type parseJSONProc struct {
	Source      *string `json:"source,omitempty" min:"1" max:"128"`
	Destination *string `json:"destination,omitempty" min:"1" max:"128"`
}
type parseKeyValueProc struct {
	Source            *string `json:"source,omitempty" min:"1" max:"128"`
	Destination       *string `json:"destination,omitempty" min:"1" max:"128"`
	FieldDelimiter    *string `json:"fieldDelimiter,omitempty" min:"1" max:"128"`
	KeyValueDelimiter *string `json:"keyValueDelimiter,omitempty" min:"1" max:"128"`
	KeyPrefix         *string `json:"keyPrefix,omitempty" min:"1" max:"128"`
	NonMatchValue     *string `json:"nonMatchValue,omitempty" min:"1" max:"128"`
	OverwriteIfExists bool    `json:"overwriteIfExists,omitempty"`
}

// The processors TestTransformer does not run: checked as the model says
// and stored.
type csvProc struct {
	QuoteCharacter *string  `json:"quoteCharacter,omitempty" min:"1" max:"1"`
	Delimiter      *string  `json:"delimiter,omitempty" min:"1" max:"2"`
	Columns        []string `json:"columns,omitempty" max:"100"`
	Source         *string  `json:"source,omitempty" min:"1" max:"128"`
	Destination    *string  `json:"destination,omitempty" min:"1" max:"128"`
}
type grokProc struct {
	Source *string `json:"source,omitempty" min:"1" max:"128"`
	Match  string  `json:"match" required:"true" min:"1" max:"512"`
}
type listToMapProc struct {
	Source           string  `json:"source" required:"true" min:"1" max:"128"`
	Key              string  `json:"key" required:"true" min:"1" max:"128"`
	ValueKey         *string `json:"valueKey,omitempty" min:"1" max:"128"`
	Target           *string `json:"target,omitempty" min:"1" max:"128"`
	Flatten          bool    `json:"flatten,omitempty"`
	FlattenedElement string  `json:"flattenedElement,omitempty" enum:"first,last"`
}
type dateTimeProc struct {
	Source         string   `json:"source" required:"true" min:"1" max:"128"`
	Target         string   `json:"target" required:"true" min:"1" max:"128"`
	TargetFormat   *string  `json:"targetFormat,omitempty" min:"1" max:"64"`
	MatchPatterns  []string `json:"matchPatterns" required:"true" min:"1" max:"5"`
	SourceTimezone *string  `json:"sourceTimezone,omitempty" min:"1"`
	TargetTimezone *string  `json:"targetTimezone,omitempty" min:"1"`
	Locale         *string  `json:"locale,omitempty" min:"1"`
}
type sourceProc struct {
	Source *string `json:"source,omitempty" min:"1" max:"128"`
}
type ocsfProc struct {
	Source         *string `json:"source,omitempty" min:"1" max:"128"`
	EventSource    string  `json:"eventSource" required:"true" enum:"CloudTrail,Route53Resolver,VPCFlow,EKSAudit,AWSWAF"`
	OcsfVersion    string  `json:"ocsfVersion" required:"true" enum:"V1.1,V1.5"`
	MappingVersion *string `json:"mappingVersion,omitempty" min:"1" max:"10" pattern:"^\\d+\\.\\d+(\\.\\d+)?$"`
}

// processor is one step of a transformer: exactly one member is set.
type processor struct {
	AddKeys          *addKeysProc       `json:"addKeys,omitempty"`
	CopyValue        *copyValueProc     `json:"copyValue,omitempty"`
	Csv              *csvProc           `json:"csv,omitempty"`
	DateTimeConv     *dateTimeProc      `json:"dateTimeConverter,omitempty"`
	DeleteKeys       *deleteKeysProc    `json:"deleteKeys,omitempty"`
	Grok             *grokProc          `json:"grok,omitempty"`
	ListToMap        *listToMapProc     `json:"listToMap,omitempty"`
	LowerCaseString  *withKeysProc      `json:"lowerCaseString,omitempty"`
	MoveKeys         *moveKeysProc      `json:"moveKeys,omitempty"`
	ParseCloudfront  *sourceProc        `json:"parseCloudfront,omitempty"`
	ParseJSON        *parseJSONProc     `json:"parseJSON,omitempty"`
	ParseKeyValue    *parseKeyValueProc `json:"parseKeyValue,omitempty"`
	ParseRoute53     *sourceProc        `json:"parseRoute53,omitempty"`
	ParseToOCSF      *ocsfProc          `json:"parseToOCSF,omitempty"`
	ParsePostgres    *sourceProc        `json:"parsePostgres,omitempty"`
	ParseVPC         *sourceProc        `json:"parseVPC,omitempty"`
	ParseWAF         *sourceProc        `json:"parseWAF,omitempty"`
	RenameKeys       *renameKeysProc    `json:"renameKeys,omitempty"`
	SplitString      *splitProc         `json:"splitString,omitempty"`
	SubstituteString *substituteProc    `json:"substituteString,omitempty"`
	TrimString       *withKeysProc      `json:"trimString,omitempty"`
	TypeConverter    *typeConverterProc `json:"typeConverter,omitempty"`
	UpperCaseString  *withKeysProc      `json:"upperCaseString,omitempty"`
}

// isParser: AWS requires a transformer to start with a parser.
func (p processor) isParser() bool {
	return p.ParseJSON != nil || p.ParseKeyValue != nil || p.Csv != nil || p.Grok != nil || p.ParseCloudfront != nil ||
		p.ParseRoute53 != nil || p.ParseToOCSF != nil || p.ParsePostgres != nil || p.ParseVPC != nil || p.ParseWAF != nil
}

// unsupported names a processor TestTransformer does not run ("" if none).
func (p processor) unsupported() string {
	for name, set := range map[string]bool{"csv": p.Csv != nil, "dateTimeConverter": p.DateTimeConv != nil, "grok": p.Grok != nil,
		"listToMap": p.ListToMap != nil, "parseCloudfront": p.ParseCloudfront != nil, "parseRoute53": p.ParseRoute53 != nil,
		"parseToOCSF": p.ParseToOCSF != nil, "parsePostgres": p.ParsePostgres != nil, "parseVPC": p.ParseVPC != nil, "parseWAF": p.ParseWAF != nil} {
		if set {
			return name
		}
	}
	return ""
}

func validateProcessors(ps []processor) error {
	if len(ps) > 0 && !ps[0].isParser() {
		return errInvalidParameter.New("The first processor of a transformer must be a parser.")
	}
	for i, p := range ps {
		n := 0
		b, _ := json.Marshal(p)
		var m map[string]json.RawMessage
		json.Unmarshal(b, &m)
		n = len(m)
		if n != 1 {
			return errInvalidParameter.Errorf("Processor %d must set exactly one processor type.", i+1)
		}
	}
	return nil
}

type putTransformerInput struct {
	groupIdentRequired
	TransformerConfig []processor `json:"transformerConfig" required:"true" min:"1" max:"20"`
}

// Validate: a parser first, one type per processor.
func (in *putTransformerInput) Validate() error { return validateProcessors(in.TransformerConfig) }

func (s *Service) putTransformer(c *awsproto.Call, in *putTransformerInput) (struct{}, error) {
	g, err := in.group(s, c.Region)
	if err != nil {
		return struct{}{}, err
	}
	b, _ := json.Marshal(in.TransformerConfig)
	_, err = g.SetPolicy(TransformerPolicy, "", string(b))
	return struct{}{}, err
}

type getTransformerOutput struct {
	LogGroupIdentifier string          `json:"logGroupIdentifier"`
	CreationTime       int64           `json:"creationTime,omitempty"`
	LastModifiedTime   int64           `json:"lastModifiedTime,omitempty"`
	TransformerConfig  json.RawMessage `json:"transformerConfig,omitempty"`
}

func (s *Service) getTransformer(c *awsproto.Call, in *groupIdentRequired) (getTransformerOutput, error) {
	g, err := in.group(s, c.Region)
	if err != nil {
		return getTransformerOutput{}, err
	}
	out := getTransformerOutput{LogGroupIdentifier: in.LogGroupIdentifier}
	if p, ok := g.Policy(TransformerPolicy); ok {
		out.CreationTime, out.LastModifiedTime, out.TransformerConfig = p.Created, p.Updated, json.RawMessage(p.Document)
	}
	return out, nil
}

func (s *Service) deleteTransformer(c *awsproto.Call, in *groupIdentRequired) (struct{}, error) {
	g, err := in.group(s, c.Region)
	if err != nil {
		return struct{}{}, err
	}
	if !g.DeletePolicy(TransformerPolicy) {
		return struct{}{}, errResourceNotFound.New("The specified transformer does not exist.")
	}
	return struct{}{}, nil
}

type testTransformerInput struct {
	TransformerConfig []processor `json:"transformerConfig" required:"true" min:"1" max:"20"`
	LogEventMessages  []string    `json:"logEventMessages" required:"true" min:"1" max:"50"`
}

// Validate: as PutTransformer, and only processors this emulator runs.
func (in *testTransformerInput) Validate() error {
	if err := validateProcessors(in.TransformerConfig); err != nil {
		return err
	}
	for _, p := range in.TransformerConfig {
		if name := p.unsupported(); name != "" {
			return errInvalidOperation.Errorf("The %s processor is not supported by TestTransformer in this emulator.", name)
		}
	}
	return nil
}

type transformedOut struct {
	EventNumber             int64  `json:"eventNumber"`
	EventMessage            string `json:"eventMessage"`
	TransformedEventMessage string `json:"transformedEventMessage"`
}

type testTransformerOutput struct {
	TransformedLogs []transformedOut `json:"transformedLogs"`
}

func (s *Service) testTransformer(c *awsproto.Call, in *testTransformerInput) (testTransformerOutput, error) {
	out := testTransformerOutput{TransformedLogs: []transformedOut{}}
	for i, m := range in.LogEventMessages {
		rec := transform(in.TransformerConfig, m)
		b, _ := json.Marshal(rec)
		out.TransformedLogs = append(out.TransformedLogs, transformedOut{EventNumber: int64(i + 1), EventMessage: m, TransformedEventMessage: string(b)})
	}
	return out, nil
}

// ---- running processors ----

// transform runs processors over one message, starting from an empty
// record whose "@message" source is the raw message.
func transform(ps []processor, msg string) map[string]any {
	rec := map[string]any{}
	source := func(src string) (string, bool) {
		if src == "" || src == "@message" {
			return msg, true
		}
		v, ok := getPath(rec, src)
		if !ok {
			return "", false
		}
		s, ok := v.(string)
		return s, ok
	}
	for _, p := range ps {
		switch {
		case p.ParseJSON != nil:
			src, ok := source(deref(p.ParseJSON.Source))
			if !ok {
				continue
			}
			var obj map[string]any
			if json.Unmarshal([]byte(src), &obj) != nil {
				continue
			}
			merge(rec, deref(p.ParseJSON.Destination), obj, true)
		case p.ParseKeyValue != nil:
			kv := p.ParseKeyValue
			src, ok := source(deref(kv.Source))
			if !ok {
				continue
			}
			fd, kd := or(deref(kv.FieldDelimiter), "&"), or(deref(kv.KeyValueDelimiter), "=")
			prefix, dest := deref(kv.KeyPrefix), deref(kv.Destination)
			obj := map[string]any{}
			for _, part := range strings.Split(src, fd) {
				k, v, found := strings.Cut(part, kd)
				if !found {
					if kv.NonMatchValue != nil {
						obj[prefix+part] = *kv.NonMatchValue
					}
					continue
				}
				obj[prefix+k] = v
			}
			merge(rec, dest, obj, kv.OverwriteIfExists || dest != "")
		case p.AddKeys != nil:
			for _, e := range p.AddKeys.Entries {
				if _, exists := getPath(rec, e.Key); !exists || e.OverwriteIfExists {
					setPath(rec, e.Key, e.Value)
				}
			}
		case p.DeleteKeys != nil:
			for _, k := range p.DeleteKeys.WithKeys {
				deletePath(rec, k)
			}
		case p.RenameKeys != nil:
			for _, e := range p.RenameKeys.Entries {
				moveKey(rec, e.Key, e.RenameTo, e.OverwriteIfExists, true)
			}
		case p.MoveKeys != nil:
			for _, e := range p.MoveKeys.Entries {
				moveKey(rec, e.Source, e.Target, e.OverwriteIfExists, true)
			}
		case p.CopyValue != nil:
			for _, e := range p.CopyValue.Entries {
				moveKey(rec, e.Source, e.Target, e.OverwriteIfExists, false)
			}
		case p.LowerCaseString != nil:
			mapStrings(rec, p.LowerCaseString.WithKeys, strings.ToLower)
		case p.UpperCaseString != nil:
			mapStrings(rec, p.UpperCaseString.WithKeys, strings.ToUpper)
		case p.TrimString != nil:
			mapStrings(rec, p.TrimString.WithKeys, strings.TrimSpace)
		case p.SubstituteString != nil:
			for _, e := range p.SubstituteString.Entries {
				re, err := regexp.Compile(e.From)
				if err != nil {
					continue
				}
				mapStrings(rec, []string{e.Source}, func(s string) string { return re.ReplaceAllString(s, e.To) })
			}
		case p.SplitString != nil:
			for _, e := range p.SplitString.Entries {
				if v, ok := getPath(rec, e.Source); ok {
					if s, ok := v.(string); ok {
						parts := strings.Split(s, e.Delimiter)
						list := make([]any, len(parts))
						for i, x := range parts {
							list[i] = x
						}
						setPath(rec, e.Source, list)
					}
				}
			}
		case p.TypeConverter != nil:
			for _, e := range p.TypeConverter.Entries {
				if v, ok := getPath(rec, e.Key); ok {
					if c, ok := convertType(v, e.Type); ok {
						setPath(rec, e.Key, c)
					}
				}
			}
		}
	}
	return rec
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// merge puts obj's keys into rec (under dest when set).
func merge(rec map[string]any, dest string, obj map[string]any, overwrite bool) {
	if dest != "" {
		setPath(rec, dest, obj)
		return
	}
	for k, v := range obj {
		if _, exists := rec[k]; !exists || overwrite {
			rec[k] = v
		}
	}
}

func getPath(rec map[string]any, path string) (any, bool) {
	var cur any = rec
	for _, k := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func setPath(rec map[string]any, path string, v any) {
	keys := strings.Split(path, ".")
	m := rec
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[keys[len(keys)-1]] = v
}

func deletePath(rec map[string]any, path string) {
	keys := strings.Split(path, ".")
	m := rec
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			return
		}
		m = next
	}
	delete(m, keys[len(keys)-1])
}

func moveKey(rec map[string]any, from, to string, overwrite, remove bool) {
	v, ok := getPath(rec, from)
	if !ok {
		return
	}
	if _, exists := getPath(rec, to); exists && !overwrite {
		return
	}
	if remove {
		deletePath(rec, from)
	}
	setPath(rec, to, v)
}

func mapStrings(rec map[string]any, keys []string, f func(string) string) {
	for _, k := range keys {
		if v, ok := getPath(rec, k); ok {
			if s, ok := v.(string); ok {
				setPath(rec, k, f(s))
			}
		}
	}
}

func convertType(v any, typ string) (any, bool) {
	s := ""
	switch t := v.(type) {
	case string:
		s = t
	case float64:
		s = strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(t)
	default:
		return nil, false
	}
	switch typ {
	case "string":
		return s, true
	case "boolean":
		b, err := strconv.ParseBool(s)
		return b, err == nil
	case "integer":
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(s, 64)
			return int64(f), ferr == nil
		}
		return n, true
	default:
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
}
