package s3

import (
	"context"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Bucket replication: PutBucketReplication validates the configuration as
// S3 does (a versioned source, destination buckets of this emulator that
// exist and are versioned, in any region) and stores it; every new version
// a rule matches is then copied to its destination bucket as the write
// commits (replicate), delete markers too where DeleteMarkerReplication is
// Enabled.

// maxReplicationRules and maxReplicationRuleID are S3's limits.
const (
	maxReplicationRules  = 1000
	maxReplicationRuleID = 255
)

const s3ARNPrefix = "arn:aws:s3:::"

type putBucketReplicationInput struct {
	Bucket string    `xml:"-" location:"uri" name:"Bucket"`
	Body   io.Reader `xml:"-" location:"body" required:"true"`
}

func (s *Service) putBucketReplication(c *awsproto.Call, in *putBucketReplicationInput) (struct{}, error) {
	v, err := s.store.Versioning(in.Bucket)
	if err != nil {
		return struct{}{}, err
	}
	if v != VersioningEnabled {
		return struct{}{}, errInvalidRequest.New("Versioning must be 'Enabled' on the bucket to apply a replication configuration")
	}
	body, err := readXMLBody(c, in.Body)
	if err != nil {
		return struct{}{}, err
	}
	var n xmlNode
	if err := awsproto.DecodeXML(body, &n); err != nil {
		return struct{}{}, err
	}
	if n.XMLName.Local != "ReplicationConfiguration" {
		return struct{}{}, malformedXML()
	}
	n.canonical()
	cfg, err := s.parseReplication(&n)
	if err != nil {
		return struct{}{}, err
	}
	n.XMLName.Space = awsproto.S3XMLNS
	doc, err := xml.Marshal(&n)
	if err != nil {
		return struct{}{}, err
	}
	return struct{}{}, s.store.SetReplication(c.Request.Context(), in.Bucket, cfg, doc)
}

// parseReplication checks a ReplicationConfiguration against S3's schema
// and rules.
func (s *Service) parseReplication(n *xmlNode) (*ReplicationConfig, error) {
	role, ok := n.text("Role")
	rules := n.children("Rule")
	if !ok || len(rules) == 0 || len(rules) > maxReplicationRules {
		return nil, malformedXML()
	}
	cfg := &ReplicationConfig{Role: role}
	ids := map[string]bool{}
	for _, r := range rules {
		var rule ReplicationRule
		st, _ := r.text("Status")
		if st != "Enabled" && st != "Disabled" {
			return nil, malformedXML()
		}
		rule.Enabled = st == "Enabled"
		if id, ok := r.text("ID"); ok {
			if len(id) > maxReplicationRuleID {
				return nil, invalidArgument("ID length should not exceed allowed limit of 255", "ID", id)
			}
			if ids[id] {
				return nil, invalidArgument("Rule Id must be unique", "ID", id)
			}
			ids[id] = true
			rule.ID = id
		}
		if p, ok := r.text("Priority"); ok {
			v, err := strconv.Atoi(p)
			if err != nil {
				return nil, malformedXML()
			}
			rule.Priority = v
		}
		prefix, legacy := r.text("Prefix")
		f := r.child("Filter")
		switch {
		case legacy && f != nil:
			return nil, malformedXML()
		case legacy:
			rule.Prefix = prefix
		case f != nil:
			if err := replicationFilter(f, &rule); err != nil {
				return nil, err
			}
			if r.child("DeleteMarkerReplication") == nil {
				return nil, invalidArgument("DeleteMarkerReplication must be specified for this version of Cross Region Replication configuration schema.", "DeleteMarkerReplication", "null")
			}
		}
		if dm := r.child("DeleteMarkerReplication"); dm != nil {
			st, _ := dm.text("Status")
			if st != "Enabled" && st != "Disabled" {
				return nil, malformedXML()
			}
			rule.DeleteMarkers = st == "Enabled"
			if rule.DeleteMarkers && len(rule.Tags) > 0 {
				return nil, invalidArgument("Delete marker replication is not supported if any Tag filter is specified.", "DeleteMarkerReplication", "Enabled")
			}
		}
		d := r.child("Destination")
		if d == nil {
			return nil, malformedXML()
		}
		arn, ok := d.text("Bucket")
		if !ok {
			return nil, malformedXML()
		}
		name, isARN := strings.CutPrefix(arn, s3ARNPrefix)
		if !isARN || name == "" {
			return nil, invalidArgument("Invalid bucket ARN.", "Bucket", arn)
		}
		v, err := s.store.Versioning(name)
		if err != nil {
			return nil, errInvalidRequest.New("Destination bucket must exist.")
		}
		if v != VersioningEnabled {
			return nil, errInvalidRequest.New("Destination bucket must have versioning enabled.")
		}
		rule.Bucket = name
		if sc, ok := d.text("StorageClass"); ok {
			if !storageClasses[sc] {
				return nil, malformedXML()
			}
			rule.StorageClass = sc
		}
		cfg.Rules = append(cfg.Rules, rule)
	}
	return cfg, nil
}

// replicationFilter reads a rule's Filter: one of Prefix, Tag or And.
func replicationFilter(f *xmlNode, rule *ReplicationRule) error {
	tag := func(t *xmlNode) error {
		k, ok1 := t.text("Key")
		v, ok2 := t.text("Value")
		if !ok1 || !ok2 {
			return malformedXML()
		}
		rule.Tags = append(rule.Tags, Tag{Key: k, Value: v})
		return nil
	}
	if len(f.Nodes) > 1 {
		return malformedXML()
	}
	for _, c := range f.Nodes {
		switch c.XMLName.Local {
		case "Prefix":
			rule.Prefix = c.Text
		case "Tag":
			if err := tag(&c); err != nil {
				return err
			}
		case "And":
			for _, a := range c.Nodes {
				switch a.XMLName.Local {
				case "Prefix":
					rule.Prefix = a.Text
				case "Tag":
					if err := tag(&a); err != nil {
						return err
					}
				default:
					return malformedXML()
				}
			}
		default:
			return malformedXML()
		}
	}
	return nil
}

func (s *Service) getBucketReplication(c *awsproto.Call, in *bucketInput) (storedDoc, error) {
	doc, err := s.store.BucketConfig(in.Bucket, "replication")
	if err != nil {
		return nil, err
	}
	if doc == nil {
		return nil, errReplicationNotFound.New("The replication configuration was not found").With("BucketName", in.Bucket)
	}
	return doc, nil
}

func (s *Service) deleteBucketReplication(c *awsproto.Call, in *bucketInput) (struct{}, error) {
	return struct{}{}, s.store.SetReplication(c.Request.Context(), in.Bucket, nil, nil)
}

// replicate copies the versions that committed changes created in bucket
// to the destinations of the rules they match, and marks them COMPLETED
// (FAILED when a destination was deleted since); a delete marker is
// replicated where its rule says so. It runs before the write answers, so
// a source version is never seen PENDING.
func (s *Service) replicate(ctx context.Context, bucket string, changes []ObjectChange) {
	cfg, err := s.store.Replication(bucket)
	if err != nil || cfg == nil {
		return
	}
	now := s.env.Now()
	for _, ch := range changes {
		switch {
		case ch.Created:
			o, err := s.store.OpenVersion(bucket, ch.Key, "", true)
			if err != nil || o.DeleteMarker {
				continue
			}
			dests := cfg.Destinations(o.Key, o.Tags, false)
			status := replicaCompleted
			for _, r := range dests {
				if err := s.store.PutReplica(ctx, r.Bucket, o, r, now); err != nil {
					status = replicaFailed
				}
			}
			o.Body.Release()
			if len(dests) > 0 {
				s.store.SetReplicationStatus(ctx, bucket, o.Key, o.VersionID, status)
			}
		case ch.Event == "ObjectRemoved:DeleteMarkerCreated":
			for _, r := range cfg.Destinations(ch.Key, nil, true) {
				s.store.DeleteObjects(ctx, r.Bucket, []ObjectID{{Key: ch.Key}}, now)
			}
		}
	}
}
