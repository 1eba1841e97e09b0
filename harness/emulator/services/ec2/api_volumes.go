package ec2

import (
	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type volumeAttachmentXML struct {
	VolumeID            string `xml:"volumeId"`
	InstanceID          string `xml:"instanceId"`
	Device              string `xml:"device"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

type volumeXML struct {
	VolumeID           string                `xml:"volumeId"`
	Size               int                   `xml:"size"`
	SnapshotID         string                `xml:"snapshotId"`
	AvailabilityZone   string                `xml:"availabilityZone"`
	AvailabilityZoneID string                `xml:"availabilityZoneId"`
	Status             string                `xml:"status"`
	CreateTime         string                `xml:"createTime"`
	AttachmentSet      []volumeAttachmentXML `xml:"attachmentSet>item"`
	TagSet             []tagXML              `xml:"tagSet>item"`
	VolumeType         string                `xml:"volumeType"`
	Iops               int                   `xml:"iops,omitempty"`
	Throughput         int                   `xml:"throughput,omitempty"`
	Encrypted          bool                  `xml:"encrypted"`
	MultiAttachEnabled bool                  `xml:"multiAttachEnabled"`
}

func attachmentOut(v Volume, status string) volumeAttachmentXML {
	return volumeAttachmentXML{VolumeID: v.ID, InstanceID: v.Instance, Device: v.Device, Status: status, AttachTime: isoTime(v.AttachTime)}
}

func volumeOut(region string, v Volume) volumeXML {
	x := volumeXML{VolumeID: v.ID, Size: v.Size, SnapshotID: v.SnapshotID, AvailabilityZone: v.Zone,
		AvailabilityZoneID: zoneID(region, v.Zone), Status: v.Status(), CreateTime: isoTime(v.Created),
		TagSet: tagsOut(v.Tags), VolumeType: v.Type, Iops: v.Iops, Throughput: v.Throughput, Encrypted: v.Encrypted}
	if v.Instance != "" {
		x.AttachmentSet = []volumeAttachmentXML{attachmentOut(v, "attached")}
	}
	return x
}

// ---- CreateVolume ----

type createVolumeInput struct {
	Request
	AvailabilityZone         string
	AvailabilityZoneId       string
	Encrypted                boolean
	Iops                     *integer
	Throughput               *integer
	KmsKeyId                 string
	Size                     *integer
	SnapshotId               string
	VolumeType               string `enum:"standard,io1,io2,gp2,sc1,st1,gp3"`
	MultiAttachEnabled       boolean
	VolumeInitializationRate *integer // accepted, not emulated (typed, so a malformed value is refused)
	ClientToken              string
	TagSpecifications        []tagSpec `query:"TagSpecification"`
}

func (s *Service) createVolume(c *awsproto.Call, in *createVolumeInput) (volumeXML, error) {
	tags, err := tagSpecs(in.TagSpecifications, "volume")
	if err != nil {
		return volumeXML{}, err
	}
	zone := in.AvailabilityZone
	if zone == "" && in.AvailabilityZoneId != "" {
		for _, z := range zoneNames(c.Region) {
			if zoneID(c.Region, z) == in.AvailabilityZoneId {
				zone = z
			}
		}
		if zone == "" {
			return volumeXML{}, errInvalidParameter.Errorf("Invalid availability zone ID: [%s]", in.AvailabilityZoneId)
		}
	}
	switch {
	case zone == "":
		return volumeXML{}, missingParameter("AvailabilityZone")
	case !contains(zoneNames(c.Region), zone):
		return volumeXML{}, errInvalidParameter.Errorf("Invalid availability zone: [%s]", zone)
	}
	v := Volume{Zone: zone, Type: in.VolumeType, SnapshotID: in.SnapshotId, Encrypted: bool(in.Encrypted), Tags: tags}
	if in.Size != nil {
		v.Size = int(*in.Size)
		if v.Size <= 0 {
			return volumeXML{}, errInvalidParameter.Errorf("Value (%d) for parameter size is invalid. Expected a positive integer.", v.Size)
		}
	}
	if in.Iops != nil {
		v.Iops = int(*in.Iops)
	}
	if in.Throughput != nil {
		v.Throughput = int(*in.Throughput)
	}
	out, err := s.store.CreateVolume(c.Region, v)
	if err != nil {
		return volumeXML{}, err
	}
	x := volumeOut(c.Region, out)
	x.Status = "creating" // as CreateVolume answers; Describe shows it available
	return x, nil
}

// ---- DescribeVolumes ----

type describeVolumesInput struct {
	Request
	VolumeIds               []string `query:"VolumeId"`
	Filters                 []Filter `query:"Filter"`
	NextToken               string
	MaxResults              *string
	IncludeManagedResources boolean // accepted, not emulated (typed, so a malformed value is refused)
}

type describeVolumesResult struct {
	VolumeSet []volumeXML `xml:"volumeSet>item"`
	NextToken string      `xml:"nextToken,omitempty"`
}

func (s *Service) describeVolumes(c *awsproto.Call, in *describeVolumesInput) (describeVolumesResult, error) {
	q, err := pageQuery("DescribeVolumes", in.VolumeIds, "volumeIds", in.Filters, in.MaxResults, in.NextToken)
	if err != nil {
		return describeVolumesResult{}, err
	}
	vols, more, err := s.store.DescribeVolumes(c.Region, q)
	if err != nil {
		return describeVolumesResult{}, err
	}
	out := describeVolumesResult{VolumeSet: make([]volumeXML, len(vols))}
	for i, v := range vols {
		out.VolumeSet[i] = volumeOut(c.Region, v)
	}
	if more {
		out.NextToken = nextToken("DescribeVolumes", more, vols[len(vols)-1].ID)
	}
	return out, nil
}

// ---- DescribeVolumeStatus ----

type volumeStatusDetailXML struct {
	Name   string `xml:"name"`
	Status string `xml:"status"`
}

type volumeStatusInfoXML struct {
	Status  string                  `xml:"status"`
	Details []volumeStatusDetailXML `xml:"details>item"`
}

type volumeStatusItemXML struct {
	VolumeID           string              `xml:"volumeId"`
	AvailabilityZone   string              `xml:"availabilityZone"`
	AvailabilityZoneID string              `xml:"availabilityZoneId"`
	VolumeStatus       volumeStatusInfoXML `xml:"volumeStatus"`
}

type describeVolumeStatusResult struct {
	VolumeStatusSet []volumeStatusItemXML `xml:"volumeStatusSet>item"`
	NextToken       string                `xml:"nextToken,omitempty"`
}

// describeVolumeStatus reports every volume healthy: nothing here fails.
func (s *Service) describeVolumeStatus(c *awsproto.Call, in *describeVolumesInput) (describeVolumeStatusResult, error) {
	q, err := pageQuery("DescribeVolumeStatus", in.VolumeIds, "volumeIds", nil, in.MaxResults, in.NextToken)
	if err != nil {
		return describeVolumeStatusResult{}, err
	}
	if len(in.Filters) > 0 {
		if err := validFilters(in.Filters); err != nil {
			return describeVolumeStatusResult{}, err
		}
		for _, f := range in.Filters {
			switch f.Name {
			case "availability-zone", "volume-status.status", "volume-status.details-name", "volume-status.details-status":
			default:
				return describeVolumeStatusResult{}, errInvalidParameter.Errorf("The filter '%s' is invalid", f.Name)
			}
		}
	}
	vols, more, err := s.store.DescribeVolumes(c.Region, q)
	if err != nil {
		return describeVolumeStatusResult{}, err
	}
	var out describeVolumeStatusResult
	for _, v := range vols {
		x := volumeStatusItemXML{VolumeID: v.ID, AvailabilityZone: v.Zone, AvailabilityZoneID: zoneID(c.Region, v.Zone),
			VolumeStatus: volumeStatusInfoXML{"ok", []volumeStatusDetailXML{{"io-enabled", "passed"}, {"io-performance", "not-applicable"}}}}
		fields := func(name string) []string {
			switch name {
			case "availability-zone":
				return []string{x.AvailabilityZone}
			case "volume-status.status":
				return []string{"ok"}
			case "volume-status.details-name":
				return []string{"io-enabled", "io-performance"}
			}
			return []string{"passed", "not-applicable"}
		}
		if matchFilters(in.Filters, fields, nil) {
			out.VolumeStatusSet = append(out.VolumeStatusSet, x)
		}
	}
	if more {
		out.NextToken = nextToken("DescribeVolumeStatus", more, vols[len(vols)-1].ID)
	}
	return out, nil
}

// ---- DeleteVolume, AttachVolume, DetachVolume ----

type deleteVolumeInput struct {
	Request
	VolumeId string `required:"true"`
}

func (s *Service) deleteVolume(c *awsproto.Call, in *deleteVolumeInput) (emptyResult, error) {
	return emptyResult{}, s.store.DeleteVolume(c.Region, in.VolumeId)
}

type attachVolumeInput struct {
	Request
	Device       string   `required:"true"`
	InstanceId   string   `required:"true"`
	VolumeId     string   `required:"true"`
	EbsCardIndex *integer // accepted, not emulated (typed, so a malformed value is refused)
}

func (s *Service) attachVolume(c *awsproto.Call, in *attachVolumeInput) (volumeAttachmentXML, error) {
	if err := validInstanceIDs([]string{in.InstanceId}); err != nil {
		return volumeAttachmentXML{}, err
	}
	v, err := s.store.AttachVolume(c.Region, in.VolumeId, in.InstanceId, in.Device)
	if err != nil {
		return volumeAttachmentXML{}, err
	}
	return attachmentOut(v, "attaching"), nil
}

type detachVolumeInput struct {
	Request
	VolumeId   string `required:"true"`
	InstanceId string
	Device     string
	Force      boolean
}

func (s *Service) detachVolume(c *awsproto.Call, in *detachVolumeInput) (volumeAttachmentXML, error) {
	v, err := s.store.DetachVolume(c.Region, in.VolumeId, in.InstanceId, in.Device)
	if err != nil {
		return volumeAttachmentXML{}, err
	}
	return attachmentOut(v, "detaching"), nil
}
