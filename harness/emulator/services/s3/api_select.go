package s3

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// SelectObjectContent: an SQL query (selectsql.go) over a CSV or JSON
// object (uncompressed, GZIP or BZIP2), answered as S3 answers it, an event
// stream of Records, Stats and End events. Parquet input, ScanRange and
// progress events are not served.

type selectInput struct {
	Bucket              string           `xml:"-" location:"uri" name:"Bucket"`
	Key                 string           `xml:"-" location:"uri" name:"Key" min:"1"`
	Expression          *string          `xml:"Expression" required:"true"`
	ExpressionType      *string          `xml:"ExpressionType" required:"true" enum:"SQL"`
	InputSerialization  *selectInputSer  `xml:"InputSerialization" required:"true"`
	OutputSerialization *selectOutputSer `xml:"OutputSerialization" required:"true"`
	RequestProgress     *selectProgress  `xml:"RequestProgress"`
	ScanRange           *selectScanRange `xml:"ScanRange"`
}

type selectProgress struct {
	Enabled *bool `xml:"Enabled"`
}

type selectScanRange struct {
	Start *int64 `xml:"Start"`
	End   *int64 `xml:"End"`
}

type selectInputSer struct {
	CSV *struct {
		FileHeaderInfo             string `xml:"FileHeaderInfo" enum:"USE,IGNORE,NONE"`
		Comments                   string `xml:"Comments"`
		QuoteEscapeCharacter       string `xml:"QuoteEscapeCharacter"`
		RecordDelimiter            string `xml:"RecordDelimiter"`
		FieldDelimiter             string `xml:"FieldDelimiter"`
		QuoteCharacter             string `xml:"QuoteCharacter"`
		AllowQuotedRecordDelimiter *bool  `xml:"AllowQuotedRecordDelimiter"`
	} `xml:"CSV"`
	CompressionType string `xml:"CompressionType" enum:"NONE,GZIP,BZIP2"`
	JSON            *struct {
		Type string `xml:"Type" enum:"DOCUMENT,LINES"`
	} `xml:"JSON"`
	Parquet *struct{} `xml:"Parquet"`
}

type selectOutputSer struct {
	CSV *struct {
		QuoteFields          string `xml:"QuoteFields" enum:"ALWAYS,ASNEEDED"`
		QuoteEscapeCharacter string `xml:"QuoteEscapeCharacter"`
		RecordDelimiter      string `xml:"RecordDelimiter"`
		FieldDelimiter       string `xml:"FieldDelimiter"`
		QuoteCharacter       string `xml:"QuoteCharacter"`
	} `xml:"CSV"`
	JSON *struct {
		RecordDelimiter string `xml:"RecordDelimiter"`
	} `xml:"JSON"`
}

func selectErr(code, msg string) error {
	return awsproto.Code{Name: code, Status: http.StatusBadRequest}.New(msg)
}

// selectStream is SelectObjectContent's answer: the query runs as Respond
// writes its events, Records a chunk at a time (memory stays bounded
// whatever the object's size); a record the query cannot read ends the
// stream with an error event, as S3 ends it.
type selectStream struct {
	q   *sqlQuery
	in  *selectInput
	obj *Object // its body retained until Respond is done
}

func (s *Service) selectObjectContent(c *awsproto.Call, in *selectInput) (*selectStream, error) {
	ser := in.InputSerialization
	switch {
	case ser.Parquet != nil:
		return nil, selectErr("UnsupportedParquetType", "Parquet input is not supported by groundstack.")
	case (ser.CSV == nil) == (ser.JSON == nil):
		return nil, selectErr("InvalidDataSource", "Invalid data source type. Only CSV and JSON are supported at this time.")
	case (in.OutputSerialization.CSV == nil) == (in.OutputSerialization.JSON == nil):
		return nil, selectErr("InvalidRequestParameter", "The value of a parameter in SelectRequest element is invalid. Check the service API documentation and try again.")
	case in.ScanRange != nil:
		return nil, selectErr("UnsupportedScanRangeInput", "Scan range queries are not supported by groundstack.")
	case ser.CSV != nil && ser.CSV.RecordDelimiter != "" && ser.CSV.RecordDelimiter != "\n" && ser.CSV.RecordDelimiter != "\r\n":
		return nil, selectErr("InvalidRecordDelimiter", "The record delimiter is not supported by groundstack: only newlines are.")
	}
	q, err := parseSQL(*in.Expression)
	if err != nil {
		var se *sqlError
		if errors.As(err, &se) {
			return nil, selectErr(se.code, se.msg)
		}
		return nil, err
	}
	o, err := s.store.Open(in.Bucket, in.Key)
	if err != nil {
		return nil, err
	}
	return &selectStream{q: q, in: in, obj: o}, nil
}

// Respond writes the event stream: Records, Stats, End.
func (st *selectStream) Respond(w http.ResponseWriter, c *awsproto.Call) error {
	defer st.obj.Body.Release()
	h := w.Header()
	h["X-Amz-Request-Id"] = []string{c.RequestID}
	h["Content-Type"] = []string{"application/vnd.amazon.eventstream"}
	w.WriteHeader(http.StatusOK)
	returned, processed, err := st.run(w)
	if err != nil {
		code, msg := "InternalError", "We encountered an internal error. Please try again."
		var ae *awsproto.Error
		if errors.As(err, &ae) {
			code, msg = ae.Code, ae.Message
		}
		_, err = w.Write(awsproto.EventStreamMessage([][2]string{{":error-code", code}, {":error-message", msg}, {":message-type", "error"}}, nil))
		return err
	}
	stats, _ := xml.Marshal(struct {
		XMLName        xml.Name `xml:"Stats"`
		BytesScanned   int64    `xml:"BytesScanned"`
		BytesProcessed int64    `xml:"BytesProcessed"`
		BytesReturned  int64    `xml:"BytesReturned"`
	}{BytesScanned: st.obj.Size(), BytesProcessed: processed, BytesReturned: returned})
	w.Write(selectEvent("Stats", "text/xml", append([]byte(xml.Header), stats...)))
	_, err = w.Write(selectEvent("End", "", nil))
	return err
}

// selectChunk is the size of the Records events.
const selectChunk = 64 << 10

// run scans the object and writes the Records events; it returns the bytes
// returned and the (uncompressed) bytes processed.
func (st *selectStream) run(out io.Writer) (returned, processed int64, err error) {
	q, ser := st.q, st.in.InputSerialization
	br := st.obj.Body.NewReader(0, st.obj.Size())
	defer br.Close()
	var raw io.Reader = br
	switch ser.CompressionType {
	case "GZIP":
		gz, err := gzip.NewReader(br)
		if err != nil {
			return 0, 0, selectErr("InvalidCompressionFormat", "The file is not in a supported compression format. Only GZIP and BZIP2 are supported.")
		}
		raw = gz
	case "BZIP2":
		raw = bzip2.NewReader(br)
	}
	counted := &countingReader{r: raw}
	w := newSelectWriter(st.in.OutputSerialization)
	var werr error
	flush := func(force bool) {
		if werr != nil || w.buf.Len() == 0 || (!force && w.buf.Len() < selectChunk) {
			return
		}
		returned += int64(w.buf.Len())
		_, werr = out.Write(selectEvent("Records", "application/octet-stream", w.buf.Bytes()))
		w.buf.Reset()
	}
	matched := 0
	each := func(r sqlRecord, all func() ([]string, []any)) bool {
		if werr != nil || (q.limit >= 0 && matched >= q.limit) {
			return false
		}
		if q.where != nil && !q.where.eval(r) {
			return true
		}
		matched++
		if !q.count {
			st.emit(w, r, all)
			flush(false)
		}
		return true
	}
	if ser.CSV != nil {
		err = scanCSV(counted, ser, each)
	} else {
		err = scanJSON(counted, each)
	}
	if err != nil {
		return returned, counted.n, err
	}
	if q.count {
		w.write([]string{"_1"}, []string{strconv.Itoa(matched)}, []any{matched})
	}
	flush(true)
	return returned, counted.n, werr
}

// emit writes the projection of one record.
func (st *selectStream) emit(w *selectWriter, r sqlRecord, all func() ([]string, []any)) {
	q := st.q
	var vals, keys []string
	var jv []any
	if q.star {
		keys, jv = all()
		for _, v := range jv {
			vals = append(vals, fmtSQL(v))
		}
		w.write(keys, vals, jv)
		return
	}
	for i := range q.cols {
		v := q.cols[i].eval(r)
		name := q.names[i]
		if name == "" {
			if q.cols[i].isCol {
				name = q.cols[i].name
			} else {
				name = "_" + strconv.Itoa(i+1)
			}
		}
		keys = append(keys, name)
		switch {
		case v.null:
			jv, vals = append(jv, nil), append(vals, "")
		case v.isNum:
			jv, vals = append(jv, json.Number(v.s)), append(vals, v.s)
		default:
			jv, vals = append(jv, v.s), append(vals, v.s)
		}
	}
	w.write(keys, vals, jv)
}

func fmtSQL(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ----- input

type csvRecord struct {
	fields []string
	header map[string]int
}

func (r *csvRecord) field(e *sqlExpr) sqlValue {
	i := e.index - 1
	if e.index == 0 {
		j, ok := r.header[e.name]
		if !ok {
			return sqlValue{null: true}
		}
		i = j
	}
	if i < 0 || i >= len(r.fields) {
		return sqlValue{null: true}
	}
	return sqlValue{s: r.fields[i]}
}

func firstByte(s, def string) rune {
	if s == "" {
		return rune(def[0])
	}
	return []rune(s)[0]
}

func scanCSV(r io.Reader, ser *selectInputSer, each func(sqlRecord, func() ([]string, []any)) bool) error {
	opt := ser.CSV
	cr := csv.NewReader(r)
	cr.Comma = firstByte(opt.FieldDelimiter, ",")
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	if opt.Comments != "" {
		cr.Comment = firstByte(opt.Comments, "#")
	}
	rec := &csvRecord{}
	first := true
	for {
		fields, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
				return selectErr("CSVParsingError", "Encountered an error parsing the CSV file. Check the file and try again.")
			}
			return err
		}
		if first {
			first = false
			switch opt.FileHeaderInfo {
			case "USE":
				rec.header = map[string]int{}
				for i, h := range fields {
					if _, dup := rec.header[h]; !dup {
						rec.header[h] = i
					}
				}
				continue
			case "IGNORE":
				continue
			}
		}
		rec.fields = fields
		all := func() ([]string, []any) {
			keys := make([]string, len(fields))
			vals := make([]any, len(fields))
			for i, f := range fields {
				keys[i] = "_" + strconv.Itoa(i+1)
				vals[i] = f
			}
			if rec.header != nil {
				for h, i := range rec.header {
					if i < len(keys) {
						keys[i] = h
					}
				}
			}
			return keys, vals
		}
		if !each(rec, all) {
			return nil
		}
	}
}

type jsonRecord struct{ m map[string]any }

func (r *jsonRecord) field(e *sqlExpr) sqlValue {
	v, ok := r.m[e.name]
	if !ok {
		return sqlValue{null: true}
	}
	switch x := v.(type) {
	case nil:
		return sqlValue{null: true}
	case string:
		return sqlValue{s: x}
	case json.Number:
		n, _ := x.Float64()
		return sqlValue{s: string(x), n: n, isNum: true}
	}
	return sqlValue{s: fmtSQL(v)}
}

func scanJSON(r io.Reader, each func(sqlRecord, func() ([]string, []any)) bool) error {
	dec := json.NewDecoder(bufio.NewReader(r))
	dec.UseNumber()
	for {
		var m map[string]any
		err := dec.Decode(&m)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return selectErr("JSONParsingError", "Encountered an error parsing the JSON file. Check the file and try again.")
		}
		rec := &jsonRecord{m: m}
		all := func() ([]string, []any) {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			vals := make([]any, len(keys))
			for i, k := range keys {
				vals[i] = m[k]
			}
			return keys, vals
		}
		if !each(rec, all) {
			return nil
		}
	}
}

// ----- output

type selectWriter struct {
	buf     bytes.Buffer
	csv     bool
	fieldD  string
	recordD string
	quote   string
	always  bool
}

func newSelectWriter(o *selectOutputSer) *selectWriter {
	w := &selectWriter{recordD: "\n"}
	if o.CSV != nil {
		w.csv, w.fieldD, w.quote, w.always = true, ",", `"`, o.CSV.QuoteFields == "ALWAYS"
		if o.CSV.FieldDelimiter != "" {
			w.fieldD = o.CSV.FieldDelimiter
		}
		if o.CSV.QuoteCharacter != "" {
			w.quote = o.CSV.QuoteCharacter
		}
		if o.CSV.RecordDelimiter != "" {
			w.recordD = o.CSV.RecordDelimiter
		}
	} else if o.JSON.RecordDelimiter != "" {
		w.recordD = o.JSON.RecordDelimiter
	}
	return w
}

func (w *selectWriter) write(keys, vals []string, jv []any) {
	if w.csv {
		for i, v := range vals {
			if i > 0 {
				w.buf.WriteString(w.fieldD)
			}
			if w.always || strings.Contains(v, w.fieldD) || strings.Contains(v, w.quote) || strings.ContainsAny(v, "\r\n") {
				w.buf.WriteString(w.quote + strings.ReplaceAll(v, w.quote, w.quote+w.quote) + w.quote)
			} else {
				w.buf.WriteString(v)
			}
		}
		w.buf.WriteString(w.recordD)
		return
	}
	w.buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			w.buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(jv[i])
		w.buf.Write(kb)
		w.buf.WriteByte(':')
		w.buf.Write(vb)
	}
	w.buf.WriteByte('}')
	w.buf.WriteString(w.recordD)
}

// selectEvent encodes one message of an event stream
// (application/vnd.amazon.eventstream): the prelude (total and headers
// lengths and their CRC32), string headers, the payload, and the CRC32 of
// all before it.
func selectEvent(eventType, contentType string, payload []byte) []byte {
	hs := [][2]string{{":event-type", eventType}, {":content-type", contentType}, {":message-type", "event"}}
	if contentType == "" {
		hs = append(hs[:1], hs[2])
	}
	return awsproto.EventStreamMessage(hs, payload)
}
