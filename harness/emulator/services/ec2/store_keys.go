package ec2

import (
	"slices"
	"sort"
)

// validKeyName checks a key pair name as EC2 does: at most 255 ASCII
// characters.
func validKeyName(name string) error {
	if len(name) > maxKeyName {
		return errInvalidParameter.Errorf("Value (%s) for parameter KeyName is invalid. Length exceeds maximum of %d characters.", name, maxKeyName)
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] > 0x7e {
			return errInvalidParameter.Errorf("Value (%s) for parameter KeyName is invalid. Character sets beyond ASCII are not supported.", name)
		}
	}
	return nil
}

// addKey stores k under its name unless taken.
func (s *Store) addKey(regionName string, k *KeyPair) error {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.keys[k.Name] != nil {
		return errKeyPairDuplicate.Errorf("The keypair '%s' already exists.", k.Name)
	}
	if len(r.keys) >= maxKeyPairs {
		return errInvalidParameter.Errorf("Maximum of %d keypairs reached.", maxKeyPairs)
	}
	r.keys[k.Name] = k
	return nil
}

func (s *Store) keyExists(regionName, name string) bool {
	r := s.region(regionName)
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.keys[name] != nil
}

// CreateKeyPair generates a key pair and returns it with its private key.
func (s *Store) CreateKeyPair(regionName, name, keyType, format string, tags []Tag) (KeyPair, string, error) {
	if err := validKeyName(name); err != nil {
		return KeyPair{}, "", err
	}
	if err := validTags(tags); err != nil {
		return KeyPair{}, "", err
	}
	if s.keyExists(regionName, name) { // fail before the costly key generation
		return KeyPair{}, "", errKeyPairDuplicate.Errorf("The keypair '%s' already exists.", name)
	}
	g, err := generateKey(keyType, format, name)
	if err != nil {
		return KeyPair{}, "", err
	}
	k := &KeyPair{ID: s.newID("key-"), Name: name, Type: keyType, Fingerprint: g.Fingerprint,
		PublicKey: g.PublicKey, Created: s.env.Now(), Tags: slices.Clone(tags)}
	if err := s.addKey(regionName, k); err != nil {
		return KeyPair{}, "", err
	}
	return *k, g.Material, nil
}

// ImportKeyPair stores a public key the client made.
func (s *Store) ImportKeyPair(regionName, name string, material []byte, tags []Tag) (KeyPair, error) {
	if err := validKeyName(name); err != nil {
		return KeyPair{}, err
	}
	if err := validTags(tags); err != nil {
		return KeyPair{}, err
	}
	pub, comment, err := parsePublicKey(material)
	if err != nil {
		return KeyPair{}, errImportFormat
	}
	fp, err := importedFingerprint(pub)
	if err != nil {
		return KeyPair{}, errImportFormat
	}
	typ := keyTypeRSA
	if pub.Type() == "ssh-ed25519" {
		typ = keyTypeED25519
	}
	k := &KeyPair{ID: s.newID("key-"), Name: name, Type: typ, Fingerprint: fp,
		PublicKey: authorizedKey(pub, comment), Created: s.env.Now(), Tags: slices.Clone(tags)}
	if err := s.addKey(regionName, k); err != nil {
		return KeyPair{}, err
	}
	return *k, nil
}

// errImportFormat is ImportKeyPair's answer to material it cannot read.
var errImportFormat = errKeyPairFormat.New(msgImportFormat)

var keyPairFilters = map[string]bool{"key-pair-id": true, "key-name": true, "fingerprint": true, "key-type": true}

// DescribeKeyPairs returns the key pairs named (by name or ID), or all,
// filtered, by name.
func (s *Store) DescribeKeyPairs(regionName string, names, ids []string, filters []Filter) ([]KeyPair, error) {
	if bad, ok := checkFilters(filters, keyPairFilters, true); !ok {
		return nil, errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	r := s.region(regionName)
	r.mu.RLock()
	defer r.mu.RUnlock()
	var picked []*KeyPair
	if len(names) > 0 || len(ids) > 0 {
		seen := map[*KeyPair]bool{}
		for _, n := range names {
			k := r.keys[n]
			if k == nil {
				return nil, errKeyPairNotFound.Errorf("The key pair '%s' does not exist", n)
			}
			if !seen[k] {
				seen[k] = true
				picked = append(picked, k)
			}
		}
		for _, id := range ids {
			k := r.keyByID(id)
			if k == nil {
				return nil, errKeyPairNotFound.Errorf("The key pair '%s' does not exist", id)
			}
			if !seen[k] {
				seen[k] = true
				picked = append(picked, k)
			}
		}
	} else {
		for _, k := range r.keys {
			picked = append(picked, k)
		}
	}
	var out []KeyPair
	for _, k := range picked {
		fields := func(name string) []string {
			switch name {
			case "key-pair-id":
				return []string{k.ID}
			case "key-name":
				return []string{k.Name}
			case "fingerprint":
				return []string{k.Fingerprint}
			case "key-type":
				return []string{k.Type}
			}
			return nil
		}
		if matchFilters(filters, fields, k.Tags) {
			c := *k
			c.Tags = slices.Clone(k.Tags)
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (r *region) keyByID(id string) *KeyPair {
	for _, k := range r.keys {
		if k.ID == id {
			return k
		}
	}
	return nil
}

// DeleteKeyPair deletes a key pair by name or ID; deleting one that does not
// exist succeeds, as on AWS. It returns the deleted key pair's ID.
func (s *Store) DeleteKeyPair(regionName, name, id string) (string, bool) {
	r := s.region(regionName)
	r.mu.Lock()
	defer r.mu.Unlock()
	k := r.keys[name]
	if name == "" {
		k = r.keyByID(id)
	}
	if k == nil {
		return "", false
	}
	delete(r.keys, k.Name)
	return k.ID, true
}
