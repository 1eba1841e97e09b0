package ec2

import (
	"regexp"
	"slices"
	"strconv"
	"time"
)

const maxVolumes = 5000

// Volume is an EBS volume: stored and described, attached to instances by
// name only (no block device reaches the instance's host).
type Volume struct {
	ID, Zone, Type, SnapshotID string
	Size, Iops, Throughput     int
	Encrypted                  bool
	Created                    time.Time
	Tags                       []Tag
	// Instance and Device name the attachment ("" when available).
	Instance, Device string
	AttachTime       time.Time
}

// sizeRange is the size in GiB each volume type allows.
var sizeRange = map[string][2]int{"gp2": {1, 16384}, "gp3": {1, 16384}, "io1": {4, 16384}, "io2": {4, 65536},
	"st1": {125, 16384}, "sc1": {125, 16384}, "standard": {1, 1024}}

var devicePattern = regexp.MustCompile(`^(/dev/(sd|xvd)[a-z]{1,2}[0-9]{0,2}|xvd[a-z]{1,2})$`)

func cloneVolume(v *Volume) Volume {
	out := *v
	out.Tags = slices.Clone(v.Tags)
	return out
}

// settle forgets the attachment of a volume whose instance has terminated
// (its attachment went with it); r.mu held for writing.
func (r *region) settle(v *Volume) {
	if v.Instance == "" {
		return
	}
	if in := r.instances[v.Instance]; in == nil || in.State == StateTerminated {
		v.Instance, v.Device = "", ""
	}
}

// CreateVolume creates an available volume in a zone.
func (s *Store) CreateVolume(regionName string, v Volume) (Volume, error) {
	if v.Type == "" {
		v.Type = "gp2"
	}
	if v.Size == 0 && v.SnapshotID == "" {
		return Volume{}, errMissingParameter.New("The request must contain the parameter size or snapshotId")
	}
	if v.Size == 0 {
		v.Size = 8 // the size of a snapshot this emulator does not keep
	}
	if rng := sizeRange[v.Type]; v.Size < rng[0] || v.Size > rng[1] {
		return Volume{}, errInvalidParameter.Errorf("Volume of %dGiB is not in the range %d-%dGiB allowed for volume type %s.", v.Size, rng[0], rng[1], v.Type)
	}
	if err := validNewTags(v.Tags); err != nil {
		return Volume{}, err
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.net()
	if len(n.volumes) >= maxVolumes {
		return Volume{}, errVolumeLimit.New("The maximum number of volumes has been reached.")
	}
	v.ID, v.Created, v.Tags = s.newID("vol-"), s.env.Now(), slices.Clone(v.Tags)
	switch v.Type {
	case "gp3":
		v.Iops, v.Throughput = max(v.Iops, 3000), max(v.Throughput, 125)
	case "gp2":
		v.Iops = min(max(3*v.Size, 100), 16000)
	}
	n.volumes[v.ID] = &v
	return cloneVolume(&v), nil
}

func (r *region) volume(id string) (*Volume, error) {
	v := r.net().volumes[id]
	if v == nil {
		return nil, errVolumeNotFound.Errorf("The volume '%s' does not exist.", id)
	}
	r.settle(v)
	return v, nil
}

// DeleteVolume deletes an available volume.
func (s *Store) DeleteVolume(regionName, id string) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := r.volume(id)
	if err != nil {
		return err
	}
	if v.Instance != "" {
		return errVolumeInUse.Errorf("Volume %s is currently attached to %s", id, v.Instance)
	}
	delete(r.net().volumes, id)
	return nil
}

// AttachVolume attaches an available volume to an instance of its zone
// under a device name the instance does not use yet.
func (s *Store) AttachVolume(regionName, id, instanceID, device string) (Volume, error) {
	if !devicePattern.MatchString(device) {
		return Volume{}, errInvalidParameter.Errorf("Value (%s) for parameter device is invalid. %s is not a valid EBS device name.", device, device)
	}
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := r.volume(id)
	if err != nil {
		return Volume{}, err
	}
	ins, err := r.lookup([]string{instanceID}, s.env.Now())
	if err != nil {
		return Volume{}, err
	}
	in := ins[0]
	switch {
	case v.Instance != "":
		return Volume{}, errVolumeInUse.Errorf("%s is already attached to an instance", id)
	case in.State == StateTerminated || in.State == StateShuttingDown:
		return Volume{}, errIncorrectState.Errorf("Instance '%s' is not 'running'.", instanceID)
	case in.AvailabilityZone != v.Zone:
		return Volume{}, errVolumeZoneMismatch.Errorf("The volume '%s' is not in the same availability zone as instance '%s'", id, instanceID)
	case device == "/dev/xvda":
		return Volume{}, errInvalidParameter.Errorf("Attachment point %s is already in use", device)
	}
	for _, o := range r.net().volumes {
		if r.settle(o); o.Instance == instanceID && o.Device == device {
			return Volume{}, errInvalidParameter.Errorf("Attachment point %s is already in use", device)
		}
	}
	v.Instance, v.Device, v.AttachTime = instanceID, device, s.env.Now()
	return cloneVolume(v), nil
}

// DetachVolume detaches a volume (from instanceID, when given).
func (s *Store) DetachVolume(regionName, id, instanceID, device string) (Volume, error) {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	v, err := r.volume(id)
	if err != nil {
		return Volume{}, err
	}
	if v.Instance == "" {
		return Volume{}, errIncorrectStateVol.Errorf("Volume '%s' is in the 'available' state.", id)
	}
	if (instanceID != "" && instanceID != v.Instance) || (device != "" && device != v.Device) {
		return Volume{}, errAttachmentNotFound.Errorf("The volume '%s' is not attached to instance '%s'.", id, instanceID)
	}
	out := cloneVolume(v)
	v.Instance, v.Device = "", ""
	return out, nil
}

var volumeFilters = map[string]bool{"volume-id": true, "volume-type": true, "size": true, "status": true,
	"availability-zone": true, "attachment.instance-id": true, "attachment.device": true, "attachment.status": true,
	"encrypted": true, "snapshot-id": true, "create-time": true, "attachment.delete-on-termination": true}

// DescribeVolumes returns a page of volumes ordered by ID.
func (s *Store) DescribeVolumes(regionName string, q Page) ([]Volume, bool, error) {
	return describeIn(s, regionName, q, volumeFilters, func(n *network) map[string]*Volume { return n.volumes },
		func(missing []string) error {
			return errVolumeNotFound.Errorf("The volume '%s' does not exist.", missing[0])
		},
		func(r *region, v *Volume) (fieldsOf, []Tag) {
			r.settle(v)
			fields := func(name string) []string {
				switch name {
				case "volume-id":
					return []string{v.ID}
				case "volume-type":
					return []string{v.Type}
				case "size":
					return []string{strconv.Itoa(v.Size)}
				case "status":
					return []string{v.Status()}
				case "availability-zone":
					return []string{v.Zone}
				case "encrypted":
					return []string{strconv.FormatBool(v.Encrypted)}
				case "snapshot-id":
					return []string{v.SnapshotID}
				case "create-time":
					return []string{isoTime(v.Created)}
				}
				if v.Instance == "" {
					return nil
				}
				switch name {
				case "attachment.instance-id":
					return []string{v.Instance}
				case "attachment.device":
					return []string{v.Device}
				case "attachment.status":
					return []string{"attached"}
				}
				return []string{"false"}
			}
			return fields, v.Tags
		}, cloneVolume)
}

// Status is the volume's state as EC2 names it.
func (v *Volume) Status() string {
	if v.Instance != "" {
		return "in-use"
	}
	return "available"
}
