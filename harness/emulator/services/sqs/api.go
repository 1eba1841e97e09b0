package sqs

import (
	"net/http"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
	"github.com/groundstack/groundstack/harness/emulator/cloud"
)

// Service is Amazon SQS as the edge sees it: awsJson 1.0 requests
// (X-Amz-Target: AmazonSQS.*) go to the typed operations; query requests
// (Action=…) are translated to the same operations and their answers to XML.
type Service struct {
	env   *cloud.Env
	store *Store
	api   awsproto.API
}

// xmlns is the namespace of SQS's query protocol responses.
const xmlns = "http://queue.amazonaws.com/doc/2012-11-05/"

// maxRequestBody bounds a request: ten 1 MiB messages, JSON-escaped.
const maxRequestBody = 16 << 20

// New returns the SQS service and publishes its store as cloud.LinkSQS.
func New(env *cloud.Env) *Service {
	s := &Service{env: env, store: NewStore(env.Account, env.Now, env.NewID)}
	if env.Links != nil {
		env.Links.Set(cloud.LinkSQS, cloud.Queues(link{s.store}))
	}
	s.api = awsproto.API{
		Model:          "sqs",
		Base:           awsproto.Base{DefaultRegion: env.Region, NewID: env.NewID, Log: env.Log},
		Protocol:       awsproto.JSON10,
		TargetPrefix:   "AmazonSQS",
		ErrorNamespace: "com.amazonaws.sqs#",
		MaxBody:        maxRequestBody,
		Invalid:        awsproto.Code{Name: errInvalidParameterValue.shape, Status: http.StatusBadRequest},
		Missing: func(param string) *awsproto.Error {
			return errMissingParameter.Errorf(msgMissingParameter, param).(*awsproto.Error)
		},
		ErrorWriter: writeJSONError,
	}
	s.api.Register(
		awsproto.Handle("CreateQueue", s.createQueue),
		awsproto.Handle("GetQueueUrl", s.getQueueURL),
		awsproto.Handle("ListQueues", s.listQueues),
		awsproto.Handle("DeleteQueue", s.deleteQueue),
		awsproto.Handle("GetQueueAttributes", s.getQueueAttributes),
		awsproto.Handle("SetQueueAttributes", s.setQueueAttributes),
		awsproto.Handle("PurgeQueue", s.purgeQueue),
		awsproto.Handle("TagQueue", s.tagQueue),
		awsproto.Handle("UntagQueue", s.untagQueue),
		awsproto.Handle("ListQueueTags", s.listQueueTags),
		awsproto.Handle("ListDeadLetterSourceQueues", s.listDeadLetterSourceQueues),
		awsproto.Handle("AddPermission", s.addPermission),
		awsproto.Handle("RemovePermission", s.removePermission),
		awsproto.Handle("SendMessage", s.sendMessage),
		awsproto.Handle("SendMessageBatch", s.sendMessageBatch),
		awsproto.Handle("ReceiveMessage", s.receiveMessage),
		awsproto.Handle("DeleteMessage", s.deleteMessage),
		awsproto.Handle("DeleteMessageBatch", s.deleteMessageBatch),
		awsproto.Handle("ChangeMessageVisibility", s.changeMessageVisibility),
		awsproto.Handle("ChangeMessageVisibilityBatch", s.changeMessageVisibilityBatch),
		awsproto.Handle("StartMessageMoveTask", s.startMessageMoveTask),
		awsproto.Handle("ListMessageMoveTasks", s.listMessageMoveTasks),
		awsproto.Handle("CancelMessageMoveTask", s.cancelMessageMoveTask),
	)
	return s
}

func (s *Service) Name() string                { return "sqs" }
func (s *Service) Protocol() awsproto.Protocol { return awsproto.JSON10 }
func (s *Service) Reset()                      { s.store.Reset() }

// Close stops running message move tasks.
func (s *Service) Close() error { s.store.Close(); return nil }

// MaxRequestBody tells strict mode the largest body the service takes.
func (s *Service) MaxRequestBody() int64 { return maxRequestBody }

// Queues is the store as other services see it (also published in
// env.Links as cloud.LinkSQS).
func (s *Service) Queues() cloud.Queues { return link{s.store} }

// Store is the service's store, for tests and in-process callers.
func (s *Service) Store() *Store { return s.store }

// Routes: the JSON protocol by its target prefix, both by the signing name,
// and unsigned query requests posted to a queue URL's path.
func (s *Service) Routes() []cloud.Route {
	return []cloud.Route{
		{Kind: cloud.ByTarget, Key: "AmazonSQS"},
		{Kind: cloud.ByScope, Key: "sqs"},
		{Kind: cloud.ByPath, Key: "/" + s.env.Account + "/"},
	}
}

// APIs is the service's API, for the coverage report and the model checks.
func (s *Service) APIs() []*awsproto.API { return []*awsproto.API{&s.api} }

// ServeHTTP serves both protocols: a request with X-Amz-Target is awsJson,
// any other is the query protocol.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") != "" {
		s.api.ServeHTTP(w, r)
		return
	}
	s.serveQuery(w, r)
}

// Summary counts queues for GET /_groundstack/state.
func (s *Service) Summary() map[string]any {
	return map[string]any{"queues": s.store.Count()}
}

// writeJSONError writes an error as SQS's JSON protocol does: __type in the
// com.amazonaws.sqs namespace and the query code in x-amzn-query-error,
// which the SDKs report as the error's code.
func writeJSONError(w http.ResponseWriter, c *awsproto.Call, e *awsproto.Error) {
	if _, ok := e.Headers[queryErrorHeader]; !ok {
		cp := *e
		cp.Headers = map[string]string{queryErrorHeader: e.Code + ";" + e.Fault()}
		for k, v := range e.Headers {
			cp.Headers[k] = v
		}
		e = &cp
	}
	awsproto.WriteJSONError(w, "application/x-amz-json-1.0", "com.amazonaws.sqs#", c.RequestID, e)
}

// ---- queue URLs

// queueURL is the URL of q as the client reached the edge: the Host it
// called (so the URL works from where the client is), else the emulator's.
func (s *Service) queueURL(c *awsproto.Call, q *Queue) string {
	host := c.Host
	if host == "" {
		host = s.env.Host
	}
	if host == "" {
		host = "localhost:4566"
	}
	return "http://" + host + "/" + s.store.account + "/" + q.Name
}

// queue finds the queue a QueueUrl names. Accepted forms:
// http(s)://host/<account>/<name> (any host, including
// sqs.<region>.localhost.localstack.cloud and sqs.<region>.amazonaws.com),
// http://host/queue/<region>/<account>/<name> (LocalStack's path form), and
// a bare queue name.
func (s *Service) queue(c *awsproto.Call, url string) (*Queue, error) {
	region, account, name := c.Region, s.store.account, url
	path := url
	if i := strings.Index(url, "://"); i >= 0 {
		rest := url[i+3:]
		host := rest
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			host, path = rest[:j], rest[j:]
		} else {
			path = ""
		}
		if r := regionOfHost(host); r != "" {
			region = r
		}
	}
	if strings.Contains(path, "/") {
		// /<account>/<name> or /queue/<region>/<account>/<name>, without
		// allocating: this runs on every message operation.
		p := strings.Trim(path, "/")
		first, rest, _ := strings.Cut(p, "/")
		switch n := strings.Count(p, "/"); {
		case n == 3 && first == "queue":
			region, rest, _ = strings.Cut(rest, "/")
			account, name, _ = strings.Cut(rest, "/")
		case n == 1:
			account, name = first, rest
		default:
			return nil, errQueueDoesNotExist.New(msgQueueDoesNotExist)
		}
	}
	if account != s.store.account || name == "" {
		return nil, errQueueDoesNotExist.New(msgQueueDoesNotExist)
	}
	return s.store.Queue(region, name)
}

// regionOfHost reads the region of sqs.<region>.<domain> or
// <region>.queue.<domain>; empty when the host names none.
func regionOfHost(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	labels := strings.Split(host, ".")
	if len(labels) >= 3 && labels[0] == "sqs" && strings.Count(labels[1], "-") >= 2 {
		return labels[1]
	}
	if len(labels) >= 3 && labels[1] == "queue" && strings.Count(labels[0], "-") >= 2 {
		return labels[0]
	}
	return ""
}
