package logs

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type detectorRef struct {
	AnomalyDetectorArn string `json:"anomalyDetectorArn" required:"true" min:"1" pattern:"[\\w#+=/:,.@-]*"`
}

// id is the detector's id, "" for an ARN that names no detector.
func (r detectorRef) id(region string) string {
	rg, kind, id, ok := parseLogsARN(r.AnomalyDetectorArn)
	if !ok || kind != "anomaly-detector" || rg != region {
		return ""
	}
	return id
}

type createLogAnomalyDetectorInput struct {
	LogGroupArnList       []string          `json:"logGroupArnList" required:"true"`
	DetectorName          *string           `json:"detectorName" min:"1"`
	EvaluationFrequency   string            `json:"evaluationFrequency" enum:"ONE_MIN,FIVE_MIN,TEN_MIN,FIFTEEN_MIN,THIRTY_MIN,ONE_HOUR"`
	FilterPattern         *string           `json:"filterPattern" max:"1024"`
	KmsKeyID              string            `json:"kmsKeyId" max:"256" pattern:"^arn:aws[a-z\\-]*:kms:[-a-z0-9]*:[0-9]*:key/[-a-z0-9]*$"`
	AnomalyVisibilityTime *int64            `json:"anomalyVisibilityTime" min:"7" max:"90"`
	Tags                  map[string]string `json:"tags" min:"1" max:"50"`
}

// Validate: each log group ARN meets the model's constraints.
func (in *createLogAnomalyDetectorInput) Validate() error {
	for _, a := range in.LogGroupArnList {
		if len(a) < 1 || len(a) > 2048 {
			return awsproto.Constraint(errInvalidParameter, a, "logGroupArnList.member", "Member must have length less than or equal to 2048")
		}
	}
	return nil
}

type updateLogAnomalyDetectorInput struct {
	detectorRef
	EvaluationFrequency   string  `json:"evaluationFrequency" enum:"ONE_MIN,FIVE_MIN,TEN_MIN,FIFTEEN_MIN,THIRTY_MIN,ONE_HOUR"`
	FilterPattern         *string `json:"filterPattern" max:"1024"`
	AnomalyVisibilityTime *int64  `json:"anomalyVisibilityTime" min:"7" max:"90"`
	Enabled               *bool   `json:"enabled" required:"true"`
}

type listLogAnomalyDetectorsInput struct {
	FilterLogGroupArn *string `json:"filterLogGroupArn" min:"1" max:"2048" pattern:"[\\w#+=/:,.@-]*"`
	Limit             *int32  `json:"limit" min:"1" max:"50"`
	NextToken         *string `json:"nextToken" min:"1"`
}

type listAnomaliesInput struct {
	AnomalyDetectorArn *string `json:"anomalyDetectorArn" min:"1" pattern:"[\\w#+=/:,.@-]*"`
	SuppressionState   string  `json:"suppressionState" enum:"SUPPRESSED,UNSUPPRESSED"`
	Limit              *int32  `json:"limit" min:"1" max:"50"`
	NextToken          *string `json:"nextToken" min:"1"`
}

type updateAnomalyInput struct {
	AnomalyID          *string `json:"anomalyId" min:"36" max:"36"`
	PatternID          *string `json:"patternId" min:"32" max:"32"`
	AnomalyDetectorArn string  `json:"anomalyDetectorArn" required:"true" min:"1" pattern:"[\\w#+=/:,.@-]*"`
	SuppressionType    string  `json:"suppressionType" enum:"LIMITED,INFINITE"`
	SuppressionPeriod  *struct {
		Value           *int32 `json:"value"`
		SuppressionUnit string `json:"suppressionUnit" enum:"SECONDS,MINUTES,HOURS"`
	} `json:"suppressionPeriod"`
	Baseline *bool `json:"baseline"`
}

type detectorOut struct {
	AnomalyDetectorArn    string   `json:"anomalyDetectorArn,omitempty"`
	DetectorName          string   `json:"detectorName,omitempty"`
	LogGroupArnList       []string `json:"logGroupArnList"`
	EvaluationFrequency   string   `json:"evaluationFrequency,omitempty"`
	FilterPattern         *string  `json:"filterPattern,omitempty"`
	AnomalyDetectorStatus string   `json:"anomalyDetectorStatus"`
	KmsKeyID              string   `json:"kmsKeyId,omitempty"`
	CreationTimeStamp     int64    `json:"creationTimeStamp"`
	LastModifiedTimeStamp int64    `json:"lastModifiedTimeStamp"`
	AnomalyVisibilityTime *int64   `json:"anomalyVisibilityTime,omitempty"`
}

func detectorOutOf(d Detector, withArn bool) detectorOut {
	out := detectorOut{DetectorName: d.Name, LogGroupArnList: d.GroupArns, EvaluationFrequency: d.Frequency, FilterPattern: d.FilterPattern,
		AnomalyDetectorStatus: d.Status, KmsKeyID: d.KmsKeyID, CreationTimeStamp: d.Created, LastModifiedTimeStamp: d.Modified, AnomalyVisibilityTime: d.VisibilityTime}
	if withArn {
		out.AnomalyDetectorArn = d.ARN
	}
	return out
}

func (s *Service) createLogAnomalyDetector(c *awsproto.Call, in *createLogAnomalyDetectorInput) (struct {
	AnomalyDetectorArn string `json:"anomalyDetectorArn"`
}, error) {
	var out struct {
		AnomalyDetectorArn string `json:"anomalyDetectorArn"`
	}
	if len(in.LogGroupArnList) == 0 {
		return out, errInvalidParameter.New("logGroupArnList must contain at least one log group ARN.")
	}
	for _, a := range in.LogGroupArnList {
		region, name, ok := parseGroupARN(a)
		if !ok {
			return out, errInvalidParameter.Errorf("Invalid log group ARN: %s", a)
		}
		if _, err := s.store.Group(region, name); err != nil {
			return out, err
		}
	}
	id := s.env.NewID()
	now := s.env.Now().UnixMilli()
	d := Detector{ID: id, ARN: s.arn(c.Region, "anomaly-detector", id), Name: deref(in.DetectorName), GroupArns: in.LogGroupArnList,
		Frequency: in.EvaluationFrequency, FilterPattern: in.FilterPattern, KmsKeyID: in.KmsKeyID, VisibilityTime: in.AnomalyVisibilityTime,
		Status: "INITIALIZING", Created: now, Modified: now, Tags: in.Tags}
	if d.VisibilityTime == nil {
		v := int64(21)
		d.VisibilityTime = &v
	}
	if err := s.store.cfg.CreateDetector(c.Region, d); err != nil {
		return out, err
	}
	out.AnomalyDetectorArn = d.ARN
	return out, nil
}

func (s *Service) getLogAnomalyDetector(c *awsproto.Call, in *detectorRef) (detectorOut, error) {
	d, err := s.store.cfg.Detector(c.Region, in.id(c.Region))
	if err != nil {
		return detectorOut{}, err
	}
	return detectorOutOf(d, false), nil
}

func (s *Service) listLogAnomalyDetectors(c *awsproto.Call, in *listLogAnomalyDetectorsInput) (struct {
	AnomalyDetectors []detectorOut `json:"anomalyDetectors"`
	NextToken        string        `json:"nextToken,omitempty"`
}, error) {
	var out struct {
		AnomalyDetectors []detectorOut `json:"anomalyDetectors"`
		NextToken        string        `json:"nextToken,omitempty"`
	}
	filter := deref(in.FilterLogGroupArn)
	if filter != "" {
		region, name, ok := parseGroupARN(filter)
		if !ok {
			return out, errInvalidParameter.Errorf("Invalid log group ARN: %s", filter)
		}
		if _, err := s.store.Group(region, name); err != nil {
			return out, err
		}
	}
	page, next, ok := pageOf(s.store.cfg.Detectors(c.Region, filter), func(d Detector) string { return d.ID }, deref(in.NextToken), limitOr(in.Limit, 50))
	if !ok {
		return out, badToken()
	}
	out.AnomalyDetectors, out.NextToken = make([]detectorOut, len(page)), next
	for i, d := range page {
		out.AnomalyDetectors[i] = detectorOutOf(d, true)
	}
	return out, nil
}

func (s *Service) updateLogAnomalyDetector(c *awsproto.Call, in *updateLogAnomalyDetectorInput) (struct{}, error) {
	now := s.env.Now().UnixMilli()
	return struct{}{}, s.store.cfg.UpdateDetector(c.Region, in.id(c.Region), func(d *Detector) {
		if in.EvaluationFrequency != "" {
			d.Frequency = in.EvaluationFrequency
		}
		if in.FilterPattern != nil {
			d.FilterPattern = in.FilterPattern
		}
		if in.AnomalyVisibilityTime != nil {
			d.VisibilityTime = in.AnomalyVisibilityTime
		}
		if *in.Enabled {
			d.Status = "ANALYZING"
		} else {
			d.Status = "PAUSED"
		}
		d.Modified = now
	})
}

func (s *Service) deleteLogAnomalyDetector(c *awsproto.Call, in *detectorRef) (struct{}, error) {
	return struct{}{}, s.store.cfg.DeleteDetector(c.Region, in.id(c.Region))
}

// listAnomalies: the emulator detects no anomalies, so the list is empty
// (after checking the detector named exists).
func (s *Service) listAnomalies(c *awsproto.Call, in *listAnomaliesInput) (struct {
	Anomalies []struct{} `json:"anomalies"`
}, error) {
	var out struct {
		Anomalies []struct{} `json:"anomalies"`
	}
	if in.AnomalyDetectorArn != nil {
		if _, err := s.store.cfg.Detector(c.Region, detectorRef{*in.AnomalyDetectorArn}.id(c.Region)); err != nil {
			return out, err
		}
	}
	if in.NextToken != nil {
		return out, badToken()
	}
	out.Anomalies = []struct{}{}
	return out, nil
}

// updateAnomaly: the detector must exist; an anomaly or pattern it names
// does not (none are detected).
func (s *Service) updateAnomaly(c *awsproto.Call, in *updateAnomalyInput) (struct{}, error) {
	if _, err := s.store.cfg.Detector(c.Region, detectorRef{in.AnomalyDetectorArn}.id(c.Region)); err != nil {
		return struct{}{}, err
	}
	if in.AnomalyID == nil && in.PatternID == nil {
		return struct{}{}, errInvalidParameter.New("Either anomalyId or patternId must be specified.")
	}
	if in.SuppressionType == "LIMITED" && in.SuppressionPeriod == nil {
		return struct{}{}, errInvalidParameter.New("suppressionPeriod is required when suppressionType is LIMITED.")
	}
	if in.AnomalyID != nil {
		return struct{}{}, errResourceNotFound.New("The specified anomaly does not exist.")
	}
	return struct{}{}, errResourceNotFound.New("The specified pattern does not exist.")
}
