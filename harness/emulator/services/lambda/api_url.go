package lambda

import (
	"crypto/rand"
	"net"
	"net/http"
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// --- function URL configs (the data plane is url.go)

// corsInput is Cors with the model's constraints.
type corsInput struct {
	AllowCredentials bool     `json:"AllowCredentials"`
	AllowHeaders     []string `json:"AllowHeaders" min:"0" max:"100"`
	AllowMethods     []string `json:"AllowMethods" min:"0" max:"6"`
	AllowOrigins     []string `json:"AllowOrigins" min:"0" max:"100"`
	ExposeHeaders    []string `json:"ExposeHeaders" min:"0" max:"100"`
	MaxAge           int      `json:"MaxAge" min:"0" max:"86400"`
}

func (c *corsInput) cors() *Cors {
	if c == nil {
		return nil
	}
	return &Cors{AllowCredentials: c.AllowCredentials, AllowHeaders: c.AllowHeaders, AllowMethods: c.AllowMethods,
		AllowOrigins: c.AllowOrigins, ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge}
}

// The URL Qualifier's pattern has a look-ahead Go's regular expressions
// lack: urlQualifier states it.
const urlQualifierPattern = `((?!^\d+$)^[0-9a-zA-Z-_]+$)`

// urlQualifier checks a function URL's qualifier, $LATEST or an alias, and
// returns the store's ("" for $LATEST).
func urlQualifier(q string) (string, error) {
	if q == "" || q == LatestVersion {
		return "", nil
	}
	if _, err := strconv.Atoi(q); err == nil || !isNameChars(q) {
		return "", validation(q, "qualifier", awsproto.Pattern(urlQualifierPattern))
	}
	return q, nil
}

// urlConfigInput is the input of CreateFunctionUrlConfig and
// UpdateFunctionUrlConfig (createURL requires AuthType).
type urlConfigInput struct {
	FunctionName *string    `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	Qualifier    *string    `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128"`
	AuthType     *string    `json:"AuthType" enum:"NONE,AWS_IAM"`
	Cors         *corsInput `json:"Cors"`
	InvokeMode   *string    `json:"InvokeMode" enum:"BUFFERED,RESPONSE_STREAM"`
}

type urlInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	Qualifier    *string `json:"-" location:"querystring" name:"Qualifier" min:"1" max:"128"`
}

type listURLsInput struct {
	FunctionName *string `json:"-" location:"uri" name:"FunctionName" required:"true" min:"1" max:"140"`
	Marker       *string `json:"-" location:"querystring" name:"Marker"`
	MaxItems     *int    `json:"-" location:"querystring" name:"MaxItems" min:"1" max:"50"`
}

// --- outputs

type urlConfigWire struct {
	FunctionURL      string `json:"FunctionUrl"`
	FunctionArn      string `json:"FunctionArn"`
	AuthType         string `json:"AuthType"`
	Cors             *Cors  `json:"Cors,omitempty"`
	CreationTime     string `json:"CreationTime"`
	LastModifiedTime string `json:"LastModifiedTime,omitempty"`
	InvokeMode       string `json:"InvokeMode"`
}

type listURLsOutput struct {
	FunctionURLConfigs []urlConfigWire `json:"FunctionUrlConfigs"`
	NextMarker         string          `json:"NextMarker,omitempty"`
}

func (s *Service) urlOut(r *http.Request, u URLConfig, withModified bool) urlConfigWire {
	arn := s.store.FunctionARN(u.Region, u.Function)
	if u.Qualifier != "" {
		arn += ":" + u.Qualifier
	}
	out := urlConfigWire{
		FunctionURL: s.functionURL(r, u), FunctionArn: arn, AuthType: u.AuthType, Cors: u.Cors,
		CreationTime: u.Created.UTC().Format(urlTimeLayout), InvokeMode: u.InvokeMode,
	}
	if withModified {
		out.LastModifiedTime = u.Modified.UTC().Format(urlTimeLayout)
	}
	return out
}

// functionURL is http://{id}.lambda-url.{region}.localhost.localstack.cloud:{port}/
func (s *Service) functionURL(r *http.Request, u URLConfig) string {
	port := ""
	if _, p, err := net.SplitHostPort(s.publicHost(r)); err == nil {
		port = ":" + p
	}
	return "http://" + u.ID + ".lambda-url." + u.Region + urlHostSuffix + port + "/"
}

// newURLID returns 32 random lowercase letters and digits, like AWS's.
func newURLID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [32]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// urlTarget resolves the function and qualifier (from the name or the
// Qualifier member) of a URL config operation.
func urlTarget(c *awsproto.Call, fn, qualifier *string) (region, name, q string, err error) {
	if region, name, q, err = target(*fn, str(qualifier), c.Region); err != nil {
		return "", "", "", err
	}
	q, err = urlQualifier(q)
	return region, name, q, err
}

// --- operations

func (s *Service) createURL(c *awsproto.Call, in *urlConfigInput) (urlConfigWire, error) {
	if in.AuthType == nil {
		return urlConfigWire{}, validation("null", "authType", awsproto.RuleNotNull)
	}
	region, name, q, err := urlTarget(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return urlConfigWire{}, err
	}
	mode := "BUFFERED"
	if in.InvokeMode != nil {
		mode = *in.InvokeMode
	}
	u, err := s.store.CreateURL(region, name, q, URLConfig{
		ID: newURLID(), AuthType: *in.AuthType, Cors: in.Cors.cors(), InvokeMode: mode, Created: s.env.Now(),
	})
	if err != nil {
		return urlConfigWire{}, err
	}
	return s.urlOut(c.Request, u, false), nil
}

func (s *Service) getURL(c *awsproto.Call, in *urlInput) (urlConfigWire, error) {
	region, name, q, err := urlTarget(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return urlConfigWire{}, err
	}
	u, err := s.store.URL(region, name, q)
	if err != nil {
		return urlConfigWire{}, err
	}
	return s.urlOut(c.Request, u, true), nil
}

func (s *Service) updateURL(c *awsproto.Call, in *urlConfigInput) (urlConfigWire, error) {
	region, name, q, err := urlTarget(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return urlConfigWire{}, err
	}
	u, err := s.store.UpdateURL(region, name, q, URLChange{AuthType: in.AuthType, InvokeMode: in.InvokeMode, Cors: in.Cors.cors()}, s.env.Now())
	if err != nil {
		return urlConfigWire{}, err
	}
	return s.urlOut(c.Request, u, true), nil
}

func (s *Service) deleteURL(c *awsproto.Call, in *urlInput) (struct{}, error) {
	region, name, q, err := urlTarget(c, in.FunctionName, in.Qualifier)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.DeleteURL(region, name, q)
}

func (s *Service) listURLs(c *awsproto.Call, in *listURLsInput) (listURLsOutput, error) {
	region, name, _, err := target(*in.FunctionName, "", c.Region)
	if err != nil {
		return listURLsOutput{}, err
	}
	us, err := s.store.URLs(region, name)
	if err != nil {
		return listURLsOutput{}, err
	}
	wire := func(u URLConfig) urlConfigWire { return s.urlOut(c.Request, u, true) }
	items, next := page(us, func(u URLConfig) string { return u.Qualifier }, in.Marker, in.MaxItems, wire)
	return listURLsOutput{FunctionURLConfigs: items, NextMarker: next}, nil
}
