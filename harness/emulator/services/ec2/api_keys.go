package ec2

import (
	"encoding/base64"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

type keyPairXML struct {
	KeyPairID      string   `xml:"keyPairId"`
	KeyType        string   `xml:"keyType"`
	TagSet         []tagXML `xml:"tagSet>item"`
	KeyName        string   `xml:"keyName"`
	KeyFingerprint string   `xml:"keyFingerprint"`
	PublicKey      string   `xml:"publicKey,omitempty"`
	CreateTime     string   `xml:"createTime"`
}

type createKeyPairResult struct {
	KeyName        string   `xml:"keyName"`
	KeyFingerprint string   `xml:"keyFingerprint"`
	KeyMaterial    string   `xml:"keyMaterial"`
	KeyPairID      string   `xml:"keyPairId"`
	TagSet         []tagXML `xml:"tagSet>item"`
}

type importKeyPairResult struct {
	KeyFingerprint string   `xml:"keyFingerprint"`
	KeyName        string   `xml:"keyName"`
	KeyPairID      string   `xml:"keyPairId"`
	TagSet         []tagXML `xml:"tagSet>item"`
}

// ---- CreateKeyPair ----

type createKeyPairInput struct {
	Request
	KeyName           string `required:"true"`
	KeyType           string
	KeyFormat         string
	TagSpecifications []tagSpec `query:"TagSpecification"`
}

// Validate checks KeyType and KeyFormat, the model's enums, in EC2's words.
func (in *createKeyPairInput) Validate() error {
	switch in.KeyType {
	case "", keyTypeRSA, keyTypeED25519:
	default:
		return errInvalidParameter.Errorf("Value (%s) for parameter KeyType is invalid. Valid values are rsa and ed25519.", in.KeyType)
	}
	switch in.KeyFormat {
	case "", keyFormatPEM, keyFormatPPK:
	default:
		return errInvalidParameter.Errorf("Value (%s) for parameter KeyFormat is invalid. Valid values are pem and ppk.", in.KeyFormat)
	}
	return nil
}

func (s *Service) createKeyPair(c *awsproto.Call, in *createKeyPairInput) (createKeyPairResult, error) {
	tags, err := tagSpecs(in.TagSpecifications, "key-pair")
	if err != nil {
		return createKeyPairResult{}, err
	}
	keyType, format := in.KeyType, in.KeyFormat
	if keyType == "" {
		keyType = keyTypeRSA
	}
	if format == "" {
		format = keyFormatPEM
	}
	k, material, err := s.store.CreateKeyPair(c.Region, in.KeyName, keyType, format, tags)
	if err != nil {
		return createKeyPairResult{}, err
	}
	return createKeyPairResult{KeyName: k.Name, KeyFingerprint: k.Fingerprint, KeyMaterial: material,
		KeyPairID: k.ID, TagSet: tagsOut(k.Tags)}, nil
}

// ---- ImportKeyPair ----

type importKeyPairInput struct {
	Request
	KeyName string `required:"true"`
	// PublicKeyMaterial is base64, as the query protocol sends blobs.
	PublicKeyMaterial string    `required:"true"`
	TagSpecifications []tagSpec `query:"TagSpecification"`
}

func (s *Service) importKeyPair(c *awsproto.Call, in *importKeyPairInput) (importKeyPairResult, error) {
	material, err := base64.StdEncoding.DecodeString(in.PublicKeyMaterial)
	if err != nil {
		return importKeyPairResult{}, errKeyPairFormat.New(msgImportFormat)
	}
	tags, err := tagSpecs(in.TagSpecifications, "key-pair")
	if err != nil {
		return importKeyPairResult{}, err
	}
	k, err := s.store.ImportKeyPair(c.Region, in.KeyName, material, tags)
	if err != nil {
		return importKeyPairResult{}, err
	}
	return importKeyPairResult{KeyFingerprint: k.Fingerprint, KeyName: k.Name, KeyPairID: k.ID, TagSet: tagsOut(k.Tags)}, nil
}

// ---- DescribeKeyPairs ----

type describeKeyPairsInput struct {
	Request
	KeyNames         []string `query:"KeyName"`
	KeyPairIds       []string `query:"KeyPairId"`
	Filters          []Filter `query:"Filter"`
	IncludePublicKey boolean
}

func (in *describeKeyPairsInput) Validate() error { return validFilters(in.Filters) }

type describeKeyPairsResult struct {
	KeySet []keyPairXML `xml:"keySet>item"`
}

func (s *Service) describeKeyPairs(c *awsproto.Call, in *describeKeyPairsInput) (describeKeyPairsResult, error) {
	keys, err := s.store.DescribeKeyPairs(c.Region, in.KeyNames, in.KeyPairIds, in.Filters)
	if err != nil {
		return describeKeyPairsResult{}, err
	}
	out := describeKeyPairsResult{KeySet: make([]keyPairXML, len(keys))}
	for i, k := range keys {
		x := keyPairXML{KeyPairID: k.ID, KeyType: k.Type, TagSet: tagsOut(k.Tags), KeyName: k.Name,
			KeyFingerprint: k.Fingerprint, CreateTime: isoTime(k.Created)}
		if in.IncludePublicKey {
			x.PublicKey = k.PublicKey
		}
		out.KeySet[i] = x
	}
	return out, nil
}

// ---- DeleteKeyPair ----

type deleteKeyPairInput struct {
	Request
	KeyName   string
	KeyPairId string
}

func (in *deleteKeyPairInput) Validate() error {
	if in.KeyName == "" && in.KeyPairId == "" {
		return missingParameter("KeyName or KeyPairId")
	}
	return nil
}

type deleteKeyPairResult struct {
	Return    bool   `xml:"return"`
	KeyPairID string `xml:"keyPairId,omitempty"`
}

// deleteKeyPair succeeds for a key pair that does not exist, as on AWS.
func (s *Service) deleteKeyPair(c *awsproto.Call, in *deleteKeyPairInput) (deleteKeyPairResult, error) {
	deleted, _ := s.store.DeleteKeyPair(c.Region, in.KeyName, in.KeyPairId)
	return deleteKeyPairResult{Return: true, KeyPairID: deleted}, nil
}
