package ec2

import "time"

// runUnemulated declares RunInstances' members this emulator does not act
// on (a machine here has no block devices, placement, market options or
// metadata options to set), with the model's constraints, so that their
// values are checked as AWS checks them (InvalidParameterValue) rather
// than ignored. The model's names and query names throughout.
type runUnemulated struct {
	BlockDeviceMappings              []runBlockDeviceMapping `query:"BlockDeviceMapping"`
	CapacityReservationSpecification *runCapacityReservationSpecification
	CpuOptions                       *runCpuOptionsRequest
	ElasticInferenceAccelerators     []runElasticInferenceAccelerator `query:"ElasticInferenceAccelerator"`
	InstanceMarketOptions            *runInstanceMarketOptionsRequest
	MaintenanceOptions               *runInstanceMaintenanceOptionsRequest
	MetadataOptions                  *runInstanceMetadataOptionsRequest
	NetworkPerformanceOptions        *runInstanceNetworkPerformanceOptionsRequest
	Placement                        *runPlacement
	PrivateDnsNameOptions            *runPrivateDnsNameOptionsRequest
	SecondaryInterfaces              []runInstanceSecondaryInterfaceSpecificationRequest `query:"SecondaryInterface"`
	DisableApiStop                   boolean
	DisableApiTermination            boolean
	EbsOptimized                     boolean
	EnablePrimaryIpv6                boolean
	Ipv6AddressCount                 *integer
}

type runBlockDeviceMapping struct {
	Ebs         *runEbsBlockDevice
	NoDevice    *string
	DeviceName  *string
	VirtualName *string
}

type runCapacityReservationSpecification struct {
	CapacityReservationPreference *string `enum:"capacity-reservations-only,open,none"`
	CapacityReservationTarget     *runCapacityReservationTarget
}

type runCpuOptionsRequest struct {
	CoreCount            *int64
	ThreadsPerCore       *int64
	AmdSevSnp            *string `enum:"enabled,disabled"`
	NestedVirtualization *string `enum:"enabled,disabled"`
}

type runElasticInferenceAccelerator struct {
	Type  *string `required:"true"`
	Count *int64  `min:"1"`
}

type runInstanceMarketOptionsRequest struct {
	MarketType  *string `enum:"spot,capacity-block,interruptible-capacity-reservation"`
	SpotOptions *runSpotMarketOptions
}

type runInstanceMaintenanceOptionsRequest struct {
	AutoRecovery *string `enum:"disabled,default"`
}

type runInstanceMetadataOptionsRequest struct {
	HttpTokens              *string `enum:"optional,required"`
	HttpPutResponseHopLimit *int64
	HttpEndpoint            *string `enum:"disabled,enabled"`
	HttpProtocolIpv6        *string `enum:"disabled,enabled"`
	InstanceMetadataTags    *string `enum:"disabled,enabled"`
}

type runInstanceNetworkPerformanceOptionsRequest struct {
	BandwidthWeighting *string `enum:"default,vpc-1,ebs-1"`
}

type runPlacement struct {
	AvailabilityZoneId   *string
	Affinity             *string
	GroupName            *string
	PartitionNumber      *int64
	HostId               *string
	Tenancy              *string `enum:"default,dedicated,host"`
	SpreadDomain         *string
	HostResourceGroupArn *string
	GroupId              *string
	AvailabilityZone     *string
}

type runPrivateDnsNameOptionsRequest struct {
	HostnameType                    *string `enum:"ip-name,resource-name"`
	EnableResourceNameDnsARecord    *bool
	EnableResourceNameDnsAAAARecord *bool
}

type runInstanceSecondaryInterfaceSpecificationRequest struct {
	DeleteOnTermination   *bool
	DeviceIndex           *int64
	PrivateIpAddresses    []runInstanceSecondaryInterfacePrivateIpAddressRequest `query:"PrivateIpAddress"`
	PrivateIpAddressCount *int64
	SecondarySubnetId     *string
	InterfaceType         *string `enum:"secondary"`
	NetworkCardIndex      *int64
}

type runEbsBlockDevice struct {
	DeleteOnTermination      *bool
	Iops                     *int64
	SnapshotId               *string
	VolumeSize               *int64
	VolumeType               *string `enum:"standard,io1,io2,gp2,sc1,st1,gp3"`
	KmsKeyId                 *string
	Throughput               *int64
	OutpostArn               *string
	AvailabilityZone         *string
	Encrypted                *bool
	VolumeInitializationRate *int64
	AvailabilityZoneId       *string
	EbsCardIndex             *int64
}

type runCapacityReservationTarget struct {
	CapacityReservationId               *string
	CapacityReservationResourceGroupArn *string
}

type runSpotMarketOptions struct {
	MaxPrice                     *string
	SpotInstanceType             *string `enum:"one-time,persistent"`
	BlockDurationMinutes         *int64
	ValidUntil                   *time.Time
	InstanceInterruptionBehavior *string `enum:"hibernate,stop,terminate"`
}

type runInstanceSecondaryInterfacePrivateIpAddressRequest struct {
	PrivateIpAddress *string `required:"true"`
}
