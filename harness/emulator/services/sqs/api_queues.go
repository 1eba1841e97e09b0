package sqs

import (
	"strconv"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type queueURLInput struct {
	QueueUrl *string `json:"QueueUrl" required:"true"`
}

type queueURLOutput struct {
	QueueUrl string `json:"QueueUrl"`
}

type createQueueInput struct {
	QueueName  *string           `json:"QueueName" required:"true"`
	Attributes map[string]string `json:"Attributes"`
	Tags       map[string]string `json:"tags"`
}

func (s *Service) createQueue(c *awsproto.Call, in *createQueueInput) (queueURLOutput, error) {
	q, err := s.store.CreateQueue(c.Region, *in.QueueName, in.Attributes, in.Tags)
	if err != nil {
		return queueURLOutput{}, err
	}
	return queueURLOutput{QueueUrl: s.queueURL(c, q)}, nil
}

type getQueueURLInput struct {
	QueueName              *string `json:"QueueName" required:"true"`
	QueueOwnerAWSAccountId string  `json:"QueueOwnerAWSAccountId"`
}

func (s *Service) getQueueURL(c *awsproto.Call, in *getQueueURLInput) (queueURLOutput, error) {
	if in.QueueOwnerAWSAccountId != "" && in.QueueOwnerAWSAccountId != s.store.account {
		return queueURLOutput{}, errQueueDoesNotExist.New(msgQueueDoesNotExist)
	}
	q, err := s.store.Queue(c.Region, *in.QueueName)
	if err != nil {
		return queueURLOutput{}, err
	}
	return queueURLOutput{QueueUrl: s.queueURL(c, q)}, nil
}

type listQueuesInput struct {
	QueueNamePrefix string `json:"QueueNamePrefix"`
	NextToken       string `json:"NextToken"`
	MaxResults      *int   `json:"MaxResults"`
}

type listQueuesOutput struct {
	QueueUrls []string `json:"QueueUrls,omitempty"`
	NextToken string   `json:"NextToken,omitempty"`
}

func checkMaxResults(n *int) (int, error) {
	if n == nil {
		return 0, nil
	}
	if *n < 1 || *n > 1000 {
		return 0, errInvalidParameterValue.Errorf(msgParamInvalid, strconv.Itoa(*n), "MaxResults", "MaxResults must be an integer between 1 and 1000.")
	}
	return *n, nil
}

func (s *Service) listQueues(c *awsproto.Call, in *listQueuesInput) (listQueuesOutput, error) {
	max, err := checkMaxResults(in.MaxResults)
	if err != nil {
		return listQueuesOutput{}, err
	}
	after := ""
	if in.NextToken != "" {
		if after, err = ParsePageToken(in.NextToken); err != nil {
			return listQueuesOutput{}, err
		}
	}
	qs, more := s.store.ListQueues(c.Region, in.QueueNamePrefix, after, max)
	var out listQueuesOutput
	for _, q := range qs {
		out.QueueUrls = append(out.QueueUrls, s.queueURL(c, q))
	}
	// A NextToken only when the caller pages (MaxResults), as on AWS.
	if more && max > 0 {
		out.NextToken = PageToken(qs[len(qs)-1].Name)
	}
	return out, nil
}

func (s *Service) deleteQueue(c *awsproto.Call, in *queueURLInput) (struct{}, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return struct{}{}, err
	}
	s.store.DeleteQueue(q)
	return struct{}{}, nil
}

type getQueueAttributesInput struct {
	QueueUrl       *string  `json:"QueueUrl" required:"true"`
	AttributeNames []string `json:"AttributeNames"`
}

type attributesOutput struct {
	Attributes map[string]string `json:"Attributes,omitempty"`
}

func (s *Service) getQueueAttributes(c *awsproto.Call, in *getQueueAttributesInput) (attributesOutput, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return attributesOutput{}, err
	}
	attrs, err := s.store.Attributes(q, in.AttributeNames)
	return attributesOutput{Attributes: attrs}, err
}

type setQueueAttributesInput struct {
	QueueUrl   *string           `json:"QueueUrl" required:"true"`
	Attributes map[string]string `json:"Attributes" required:"true"`
}

func (s *Service) setQueueAttributes(c *awsproto.Call, in *setQueueAttributesInput) (struct{}, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.SetAttributes(q, in.Attributes)
}

func (s *Service) purgeQueue(c *awsproto.Call, in *queueURLInput) (struct{}, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.Purge(q)
}

type tagQueueInput struct {
	QueueUrl *string           `json:"QueueUrl" required:"true"`
	Tags     map[string]string `json:"Tags" required:"true"`
}

func (s *Service) tagQueue(c *awsproto.Call, in *tagQueueInput) (struct{}, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.Tag(q, in.Tags)
}

type untagQueueInput struct {
	QueueUrl *string  `json:"QueueUrl" required:"true"`
	TagKeys  []string `json:"TagKeys" required:"true"`
}

func (s *Service) untagQueue(c *awsproto.Call, in *untagQueueInput) (struct{}, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return struct{}{}, err
	}
	s.store.Untag(q, in.TagKeys)
	return struct{}{}, nil
}

type tagsOutput struct {
	Tags map[string]string `json:"Tags,omitempty"`
}

func (s *Service) listQueueTags(c *awsproto.Call, in *queueURLInput) (tagsOutput, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return tagsOutput{}, err
	}
	return tagsOutput{Tags: s.store.Tags(q)}, nil
}

type listDeadLetterSourceQueuesInput struct {
	QueueUrl   *string `json:"QueueUrl" required:"true"`
	NextToken  string  `json:"NextToken"`
	MaxResults *int    `json:"MaxResults"`
}

type listDeadLetterSourceQueuesOutput struct {
	QueueUrls []string `json:"queueUrls"`
	NextToken string   `json:"NextToken,omitempty"`
}

func (s *Service) listDeadLetterSourceQueues(c *awsproto.Call, in *listDeadLetterSourceQueuesInput) (listDeadLetterSourceQueuesOutput, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return listDeadLetterSourceQueuesOutput{}, err
	}
	max, err := checkMaxResults(in.MaxResults)
	if err != nil {
		return listDeadLetterSourceQueuesOutput{}, err
	}
	after := ""
	if in.NextToken != "" {
		if after, err = ParsePageToken(in.NextToken); err != nil {
			return listDeadLetterSourceQueuesOutput{}, err
		}
	}
	qs, more := s.store.DeadLetterSources(q, after, max)
	out := listDeadLetterSourceQueuesOutput{QueueUrls: []string{}}
	for _, src := range qs {
		out.QueueUrls = append(out.QueueUrls, s.queueURL(c, src))
	}
	if more && max > 0 {
		out.NextToken = PageToken(qs[len(qs)-1].Name)
	}
	return out, nil
}

// ---- permissions (kept in the queue's Policy attribute)

type addPermissionInput struct {
	QueueUrl      *string  `json:"QueueUrl" required:"true"`
	Label         *string  `json:"Label" required:"true"`
	AWSAccountIds []string `json:"AWSAccountIds" required:"true"`
	Actions       []string `json:"Actions" required:"true"`
}

func (s *Service) addPermission(c *awsproto.Call, in *addPermissionInput) (struct{}, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.AddPermission(q, *in.Label, in.AWSAccountIds, in.Actions)
}

type removePermissionInput struct {
	QueueUrl *string `json:"QueueUrl" required:"true"`
	Label    *string `json:"Label" required:"true"`
}

func (s *Service) removePermission(c *awsproto.Call, in *removePermissionInput) (struct{}, error) {
	q, err := s.queue(c, *in.QueueUrl)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.RemovePermission(q, *in.Label)
}

// ---- message move tasks

type startMessageMoveTaskInput struct {
	SourceArn                    *string `json:"SourceArn" required:"true"`
	DestinationArn               string  `json:"DestinationArn"`
	MaxNumberOfMessagesPerSecond *int    `json:"MaxNumberOfMessagesPerSecond"`
}

type startMessageMoveTaskOutput struct {
	TaskHandle string `json:"TaskHandle"`
}

func (s *Service) startMessageMoveTask(c *awsproto.Call, in *startMessageMoveTaskInput) (startMessageMoveTaskOutput, error) {
	rate := 0
	if in.MaxNumberOfMessagesPerSecond != nil {
		rate = *in.MaxNumberOfMessagesPerSecond
		if rate < 1 {
			rate = -1
		}
	}
	h, err := s.store.StartMoveTask(*in.SourceArn, in.DestinationArn, rate)
	return startMessageMoveTaskOutput{TaskHandle: h}, err
}

type listMessageMoveTasksInput struct {
	SourceArn  *string `json:"SourceArn" required:"true"`
	MaxResults *int    `json:"MaxResults"`
}

type moveTaskEntry struct {
	TaskHandle                        string `json:"TaskHandle,omitempty"`
	Status                            string `json:"Status"`
	SourceArn                         string `json:"SourceArn"`
	DestinationArn                    string `json:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:"MaxNumberOfMessagesPerSecond,omitempty"`
	ApproximateNumberOfMessagesMoved  int64  `json:"ApproximateNumberOfMessagesMoved"`
	ApproximateNumberOfMessagesToMove *int64 `json:"ApproximateNumberOfMessagesToMove,omitempty"`
	FailureReason                     string `json:"FailureReason,omitempty"`
	StartedTimestamp                  int64  `json:"StartedTimestamp"`
}

type listMessageMoveTasksOutput struct {
	Results []moveTaskEntry `json:"Results"`
}

func (s *Service) listMessageMoveTasks(c *awsproto.Call, in *listMessageMoveTasksInput) (listMessageMoveTasksOutput, error) {
	max := 1
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 10 {
			return listMessageMoveTasksOutput{}, errInvalidParameterValue.Errorf(msgParamInvalid, strconv.Itoa(*in.MaxResults), "MaxResults", "MaxResults must be an integer between 1 and 10.")
		}
		max = *in.MaxResults
	}
	tasks, err := s.store.MoveTasks(*in.SourceArn, max)
	if err != nil {
		return listMessageMoveTasksOutput{}, err
	}
	out := listMessageMoveTasksOutput{Results: []moveTaskEntry{}}
	for _, t := range tasks {
		e := moveTaskEntry{
			Status: t.Status, SourceArn: t.SourceARN, DestinationArn: t.DestinationARN,
			ApproximateNumberOfMessagesMoved: t.Moved, FailureReason: t.FailureReason, StartedTimestamp: t.Started,
		}
		if t.Status == TaskRunning {
			e.TaskHandle = t.Handle
			toMove := t.ToMove
			e.ApproximateNumberOfMessagesToMove = &toMove
		}
		if t.Rate > 0 {
			r := t.Rate
			e.MaxNumberOfMessagesPerSecond = &r
		}
		out.Results = append(out.Results, e)
	}
	return out, nil
}

type cancelMessageMoveTaskInput struct {
	TaskHandle *string `json:"TaskHandle" required:"true"`
}

type cancelMessageMoveTaskOutput struct {
	ApproximateNumberOfMessagesMoved int64 `json:"ApproximateNumberOfMessagesMoved"`
}

func (s *Service) cancelMessageMoveTask(c *awsproto.Call, in *cancelMessageMoveTaskInput) (cancelMessageMoveTaskOutput, error) {
	n, err := s.store.CancelMoveTask(*in.TaskHandle)
	return cancelMessageMoveTaskOutput{ApproximateNumberOfMessagesMoved: n}, err
}
