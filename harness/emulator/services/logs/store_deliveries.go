package logs

// DeliverySource is a resource that sends vended logs.
type DeliverySource struct {
	Name, ARN, ResourceArn, Service, LogType string
	Config                                   map[string]string
	Tags                                     map[string]string
}

// DeliveryDestination is where deliveries send logs.
type DeliveryDestination struct {
	Name, ARN, Type, OutputFormat, ResourceArn string
	Policy                                     string
	Tags                                       map[string]string
}

// S3DeliveryConfig is a delivery's S3 layout.
type S3DeliveryConfig struct {
	SuffixPath *string
	Hive       *bool
}

// Delivery pairs a source with a destination.
type Delivery struct {
	ID, ARN, SourceName, DestinationArn, DestinationType string
	RecordFields                                         []string
	FieldDelimiter                                       *string
	S3                                                   *S3DeliveryConfig
	Tags                                                 map[string]string
}

// Messages of the delivery operations.
const (
	msgNoDeliverySource      = "Requested Delivery Source does not exist in this account."
	msgNoDeliveryDestination = "Requested Delivery Destination does not exist in this account."
	msgNoDelivery            = "Requested Delivery does not exist in this account."
	msgTagsOnUpdate          = "Tags can only be provided when a resource is being created, not updated."
	msgSourceNewResource     = "Update to existing Delivery Source with new ResourceId is not allowed. Please create a new Delivery Source instead."
	msgDestinationNewFormat  = "Update to existing Delivery Destination with new Output Format is not allowed. Please create a new Delivery Destination instead."
	msgDeliveryExists        = "The specified Delivery already exists"
	msgDeliverySameType      = "Delivery already exists for this Delivery Source with the same Delivery Destination Type."
	msgSourceInUse           = "Delivery Source is in use by one or more Deliveries."
	msgDestinationInUse      = "Delivery Destination is in use by one or more Deliveries."
	msgNoDestinationPolicy   = "Requested Delivery Destination Policy does not exist in this account."
)

// PutDeliverySource creates or replaces a delivery source.
func (c *Config) PutDeliverySource(region string, src DeliverySource) (DeliverySource, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, src.Name}
	if old := c.sources[k]; old != nil {
		if len(src.Tags) > 0 {
			return DeliverySource{}, errConflict.New(msgTagsOnUpdate)
		}
		if old.ResourceArn != src.ResourceArn {
			return DeliverySource{}, errConflict.New(msgSourceNewResource)
		}
		src.Tags = old.Tags
	} else if inRegion(c.sources, region) >= maxConfigPerRegion {
		return DeliverySource{}, errServiceQuotaExceeded.New("You have reached the maximum number of delivery sources allowed.")
	}
	src.Tags, src.Config = copyTags(src.Tags), copyTags(src.Config)
	c.sources[k] = &src
	return src, nil
}

// DeliverySource returns a source by name.
func (c *Config) DeliverySource(region, name string) (DeliverySource, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.sources[rkey{region, name}]; s != nil {
		return *s, nil
	}
	return DeliverySource{}, errResourceNotFound.New(msgNoDeliverySource)
}

// DeliverySources lists a region's sources by name.
func (c *Config) DeliverySources(region string) []DeliverySource {
	c.mu.Lock()
	defer c.mu.Unlock()
	return listed(c.sources, region, nil)
}

// DeleteDeliverySource deletes a source no delivery uses.
func (c *Config) DeleteDeliverySource(region, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, name}
	if c.sources[k] == nil {
		return errResourceNotFound.New(msgNoDeliverySource)
	}
	for dk, d := range c.deliveries {
		if dk.region == region && d.SourceName == name {
			return errConflict.New(msgSourceInUse)
		}
	}
	delete(c.sources, k)
	return nil
}

// PutDeliveryDestination creates or updates a destination (its output
// format cannot change).
func (c *Config) PutDeliveryDestination(region string, d DeliveryDestination) (DeliveryDestination, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, d.Name}
	if old := c.destinations[k]; old != nil {
		if len(d.Tags) > 0 {
			return DeliveryDestination{}, errConflict.New(msgTagsOnUpdate)
		}
		if d.OutputFormat != "" && d.OutputFormat != old.OutputFormat {
			return DeliveryDestination{}, errValidation.New(msgDestinationNewFormat)
		}
		d.OutputFormat, d.Tags, d.Policy = old.OutputFormat, old.Tags, old.Policy
	} else if inRegion(c.destinations, region) >= maxConfigPerRegion {
		return DeliveryDestination{}, errServiceQuotaExceeded.New("You have reached the maximum number of delivery destinations allowed.")
	}
	d.Tags = copyTags(d.Tags)
	c.destinations[k] = &d
	return d, nil
}

// DeliveryDestination returns a destination by name.
func (c *Config) DeliveryDestination(region, name string) (DeliveryDestination, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.destinations[rkey{region, name}]; d != nil {
		return *d, nil
	}
	return DeliveryDestination{}, errResourceNotFound.New(msgNoDeliveryDestination)
}

// DeliveryDestinations lists a region's destinations by name.
func (c *Config) DeliveryDestinations(region string) []DeliveryDestination {
	c.mu.Lock()
	defer c.mu.Unlock()
	return listed(c.destinations, region, nil)
}

// DeleteDeliveryDestination deletes a destination no delivery uses.
func (c *Config) DeleteDeliveryDestination(region, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, name}
	d := c.destinations[k]
	if d == nil {
		return errResourceNotFound.New(msgNoDeliveryDestination)
	}
	for dk, dl := range c.deliveries {
		if dk.region == region && dl.DestinationArn == d.ARN {
			return errConflict.New(msgDestinationInUse)
		}
	}
	delete(c.destinations, k)
	return nil
}

// SetDestinationPolicy sets ("" deletes) a destination's policy.
func (c *Config) SetDestinationPolicy(region, name, policy string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.destinations[rkey{region, name}]
	if d == nil {
		return errResourceNotFound.New(msgNoDeliveryDestination)
	}
	if policy == "" && d.Policy == "" {
		return errResourceNotFound.New(msgNoDestinationPolicy)
	}
	d.Policy = policy
	return nil
}

// CreateDelivery pairs a source with the destination named by ARN (one
// delivery per source and destination type).
func (c *Config) CreateDelivery(region, destName string, d Delivery) (Delivery, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sources[rkey{region, d.SourceName}] == nil {
		return Delivery{}, errResourceNotFound.New(msgNoDeliverySource)
	}
	dest := c.destinations[rkey{region, destName}]
	if dest == nil || dest.ARN != d.DestinationArn {
		return Delivery{}, errResourceNotFound.New(msgNoDeliveryDestination)
	}
	for k, o := range c.deliveries {
		if k.region != region || o.SourceName != d.SourceName {
			continue
		}
		if o.DestinationArn == d.DestinationArn {
			return Delivery{}, errConflict.New(msgDeliveryExists)
		}
		if o.DestinationType == dest.Type {
			return Delivery{}, errConflict.New(msgDeliverySameType)
		}
	}
	if inRegion(c.deliveries, region) >= maxConfigPerRegion {
		return Delivery{}, errServiceQuotaExceeded.New("You have reached the maximum number of deliveries allowed.")
	}
	d.DestinationType = dest.Type
	d.Tags = copyTags(d.Tags)
	c.deliveries[rkey{region, d.ID}] = &d
	return d, nil
}

// Delivery returns a delivery by id.
func (c *Config) Delivery(region, id string) (Delivery, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.deliveries[rkey{region, id}]; d != nil {
		return *d, nil
	}
	return Delivery{}, errResourceNotFound.New(msgNoDelivery)
}

// Deliveries lists a region's deliveries by id.
func (c *Config) Deliveries(region string) []Delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return listed(c.deliveries, region, nil)
}

// DeleteDelivery deletes a delivery.
func (c *Config) DeleteDelivery(region, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := rkey{region, id}
	if c.deliveries[k] == nil {
		return errResourceNotFound.New(msgNoDelivery)
	}
	delete(c.deliveries, k)
	return nil
}

// UpdateDelivery changes the members of a delivery's configuration that
// are given (non-nil).
func (c *Config) UpdateDelivery(region, id string, fields []string, delim *string, s3 *S3DeliveryConfig) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.deliveries[rkey{region, id}]
	if d == nil {
		return errResourceNotFound.New(msgNoDelivery)
	}
	if fields != nil {
		d.RecordFields = fields
	}
	if delim != nil {
		d.FieldDelimiter = delim
	}
	if s3 != nil {
		d.S3 = s3
	}
	return nil
}
