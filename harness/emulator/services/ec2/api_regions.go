package ec2

import (
	"strconv"
	"strings"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// regions are the regions DescribeRegions lists (those enabled by default).
var regions = []string{
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
	"us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

type regionXML struct {
	RegionName     string `xml:"regionName"`
	RegionEndpoint string `xml:"regionEndpoint"`
	OptInStatus    string `xml:"optInStatus"`
}

type describeRegionsResult struct {
	RegionInfo []regionXML `xml:"regionInfo>item"`
}

var regionFilters = map[string]bool{"region-name": true, "endpoint": true, "opt-in-status": true}

type describeRegionsInput struct {
	Request
	RegionNames []string `query:"RegionName"`
	Filters     []Filter `query:"Filter"`
	// every region is enabled here, so AllRegions lists the same
	AllRegions boolean
}

func (in *describeRegionsInput) Validate() error {
	if err := validFilters(in.Filters); err != nil {
		return err
	}
	if bad, ok := checkFilters(in.Filters, regionFilters, false); !ok {
		return errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	for _, n := range in.RegionNames {
		if !contains(regions, n) {
			return errInvalidParameter.Errorf("Invalid region: %s", n)
		}
	}
	return nil
}

func (s *Service) describeRegions(c *awsproto.Call, in *describeRegionsInput) (describeRegionsResult, error) {
	var out describeRegionsResult
	for _, r := range regions {
		if len(in.RegionNames) > 0 && !contains(in.RegionNames, r) {
			continue
		}
		x := regionXML{r, "ec2." + r + ".amazonaws.com", "opt-in-not-required"}
		fields := func(name string) []string {
			switch name {
			case "region-name":
				return []string{x.RegionName}
			case "endpoint":
				return []string{x.RegionEndpoint}
			}
			return []string{x.OptInStatus}
		}
		if matchFilters(in.Filters, fields, nil) {
			out.RegionInfo = append(out.RegionInfo, x)
		}
	}
	return out, nil
}

type zoneXML struct {
	ZoneName           string   `xml:"zoneName"`
	ZoneState          string   `xml:"zoneState"`
	RegionName         string   `xml:"regionName"`
	ZoneID             string   `xml:"zoneId"`
	GroupName          string   `xml:"groupName"`
	NetworkBorderGroup string   `xml:"networkBorderGroup"`
	ZoneType           string   `xml:"zoneType"`
	OptInStatus        string   `xml:"optInStatus"`
	MessageSet         []string `xml:"messageSet>item"`
}

type describeZonesResult struct {
	AvailabilityZoneInfo []zoneXML `xml:"availabilityZoneInfo>item"`
}

var zoneFilters = map[string]bool{"zone-name": true, "zone-id": true, "state": true, "region-name": true, "zone-type": true}

// zoneIDPrefix abbreviates a region as zone IDs do ("us-east-1" → "use1").
func zoneIDPrefix(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return region
	}
	dir := map[string]string{"east": "e", "west": "w", "north": "n", "south": "s", "central": "c",
		"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}[parts[1]]
	if dir == "" {
		dir = parts[1][:1]
	}
	return parts[0] + dir + parts[2]
}

type describeAvailabilityZonesInput struct {
	Request
	ZoneNames []string `query:"ZoneName"`
	ZoneIds   []string `query:"ZoneId"`
	Filters   []Filter `query:"Filter"`
	// every zone is available here, so AllAvailabilityZones lists the same
	AllAvailabilityZones boolean
}

func (in *describeAvailabilityZonesInput) Validate() error {
	if err := validFilters(in.Filters); err != nil {
		return err
	}
	if bad, ok := checkFilters(in.Filters, zoneFilters, false); !ok {
		return errInvalidParameter.Errorf("The filter '%s' is invalid", bad)
	}
	return nil
}

func (s *Service) describeAvailabilityZones(c *awsproto.Call, in *describeAvailabilityZonesInput) (describeZonesResult, error) {
	names, ids := in.ZoneNames, in.ZoneIds
	var out describeZonesResult
	matched := map[string]bool{}
	for i, suffix := range []string{"a", "b", "c"} {
		z := zoneXML{ZoneName: c.Region + suffix, ZoneState: "available", RegionName: c.Region,
			ZoneID: zoneIDPrefix(c.Region) + "-az" + strconv.Itoa(i+1), GroupName: c.Region,
			NetworkBorderGroup: c.Region, ZoneType: "availability-zone", OptInStatus: "opt-in-not-required"}
		if (len(names) > 0 || len(ids) > 0) && !contains(names, z.ZoneName) && !contains(ids, z.ZoneID) {
			continue
		}
		matched[z.ZoneName], matched[z.ZoneID] = true, true
		fields := func(name string) []string {
			switch name {
			case "zone-name":
				return []string{z.ZoneName}
			case "zone-id":
				return []string{z.ZoneID}
			case "state":
				return []string{z.ZoneState}
			case "region-name":
				return []string{z.RegionName}
			}
			return []string{z.ZoneType}
		}
		if matchFilters(in.Filters, fields, nil) {
			out.AvailabilityZoneInfo = append(out.AvailabilityZoneInfo, z)
		}
	}
	for _, n := range append(names, ids...) {
		if !matched[n] {
			return describeZonesResult{}, errInvalidParameter.Errorf("The zone '%s' does not exist.", n)
		}
	}
	return out, nil
}

// ---- DescribeAccountAttributes ----

type attributeValueXML struct {
	AttributeValue string `xml:"attributeValue"`
}

type accountAttributeXML struct {
	AttributeName   string              `xml:"attributeName"`
	AttributeValues []attributeValueXML `xml:"attributeValueSet>item"`
}

type describeAccountAttributesResult struct {
	AccountAttributes []accountAttributeXML `xml:"accountAttributeSet>item"`
}

type describeAccountAttributesInput struct {
	Request
	AttributeNames []string `query:"AttributeName" enum:"supported-platforms,default-vpc"`
}

// describeAccountAttributes answers as a VPC-only account with AWS's
// default quotas does; default-vpc names the region's default VPC.
func (s *Service) describeAccountAttributes(c *awsproto.Call, in *describeAccountAttributesInput) (describeAccountAttributesResult, error) {
	vpc, _, _ := defaultVPC(c.Region)
	all := []accountAttributeXML{
		{"vpc-max-security-groups-per-interface", []attributeValueXML{{"5"}}},
		{"max-instances", []attributeValueXML{{strconv.Itoa(maxInstances)}}},
		{"supported-platforms", []attributeValueXML{{"VPC"}}},
		{"default-vpc", []attributeValueXML{{vpc}}},
		{"max-elastic-ips", []attributeValueXML{{"5"}}},
		{"vpc-max-elastic-ips", []attributeValueXML{{"5"}}},
	}
	var out describeAccountAttributesResult
	for _, a := range all {
		if len(in.AttributeNames) == 0 || contains(in.AttributeNames, a.AttributeName) {
			out.AccountAttributes = append(out.AccountAttributes, a)
		}
	}
	return out, nil
}
