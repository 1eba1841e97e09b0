package ec2

import (
	"encoding/base64"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// attributeValue is an AttributeValue: Name.Value.
type attributeValue struct {
	Value *string
}

func (a *attributeValue) get() *string {
	if a == nil {
		return nil
	}
	return a.Value
}

type modifyInstanceAttributeInput struct {
	Request
	InstanceId                        string `required:"true"`
	Attribute                         string `enum:"instanceType,kernel,ramdisk,userData,disableApiTermination,instanceInitiatedShutdownBehavior,rootDeviceName,blockDeviceMapping,productCodes,sourceDestCheck,groupSet,ebsOptimized,sriovNetSupport,enaSupport,enclaveOptions,disableApiStop"`
	Value                             *string
	SourceDestCheck                   *attributeBoolean
	DisableApiStop                    *attributeBoolean
	DisableApiTermination             *attributeBoolean
	EbsOptimized                      *attributeBoolean
	EnaSupport                        *attributeBoolean
	InstanceType                      *attributeValue
	InstanceInitiatedShutdownBehavior *attributeValue
	UserData                          *attributeValue
	Groups                            []string `query:"GroupId"`
}

// attributes gathers the one attribute the request changes, given either
// way the API allows (Attribute and Value, or the attribute's own member).
func (in *modifyInstanceAttributeInput) attributes() (InstanceAttributes, error) {
	a := InstanceAttributes{
		InstanceType: in.InstanceType.get(), ShutdownBehavior: in.InstanceInitiatedShutdownBehavior.get(),
		UserData: in.UserData.get(), DisableAPITermination: in.DisableApiTermination.get(),
		DisableAPIStop: in.DisableApiStop.get(), SourceDestCheck: in.SourceDestCheck.get(), Ena: in.EnaSupport.get(),
		EbsOptimized: in.EbsOptimized.get(), Groups: in.Groups,
	}
	if in.Attribute != "" {
		if in.Value == nil && in.Attribute != "groupSet" {
			return a, missingParameter("value")
		}
		var b boolean
		switch in.Attribute {
		case "instanceType":
			a.InstanceType = in.Value
		case "instanceInitiatedShutdownBehavior":
			a.ShutdownBehavior = in.Value
		case "userData":
			a.UserData = in.Value
		case "disableApiTermination", "disableApiStop", "sourceDestCheck", "enaSupport", "ebsOptimized":
			if err := b.UnmarshalParam("Value", *in.Value); err != nil {
				return a, err
			}
			v := bool(b)
			switch in.Attribute {
			case "disableApiTermination":
				a.DisableAPITermination = &v
			case "disableApiStop":
				a.DisableAPIStop = &v
			case "sourceDestCheck":
				a.SourceDestCheck = &v
			case "enaSupport":
				a.Ena = &v
			default:
				a.EbsOptimized = &v
			}
		case "groupSet":
		default:
			return a, errInvalidParameter.Errorf("Value (%s) for parameter attribute is invalid. This attribute cannot be modified.", in.Attribute)
		}
	}
	if b := a.ShutdownBehavior; b != nil && *b != "stop" && *b != "terminate" {
		return a, errInvalidParameter.Errorf("Value (%s) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values are stop and terminate.", *b)
	}
	if t := a.InstanceType; t != nil && !instanceTypePattern.MatchString(*t) {
		return a, errInvalidParameter.Errorf("Invalid value '%s' for InstanceType.", *t)
	}
	if a.UserData != nil {
		if _, err := base64.StdEncoding.DecodeString(*a.UserData); err != nil {
			return a, errInvalidParameter.New("Invalid BASE64 encoding of user data.")
		}
	}
	return a, nil
}

func (s *Service) modifyInstanceAttribute(c *awsproto.Call, in *modifyInstanceAttributeInput) (emptyResult, error) {
	if err := validInstanceIDs([]string{in.InstanceId}); err != nil {
		return emptyResult{}, err
	}
	a, err := in.attributes()
	if err != nil {
		return emptyResult{}, err
	}
	return emptyResult{}, s.store.ModifyAttributes(c.Region, in.InstanceId, a)
}

type describeInstanceAttributeInput struct {
	Request
	InstanceId string `required:"true"`
	Attribute  string `required:"true" enum:"instanceType,kernel,ramdisk,userData,disableApiTermination,instanceInitiatedShutdownBehavior,rootDeviceName,blockDeviceMapping,productCodes,sourceDestCheck,groupSet,ebsOptimized,sriovNetSupport,enaSupport,enclaveOptions,disableApiStop"`
}

type valueXML struct {
	Value string `xml:"value"`
}

type instanceAttributeResult struct {
	InstanceID                        string               `xml:"instanceId"`
	InstanceType                      *valueXML            `xml:"instanceType,omitempty"`
	InstanceInitiatedShutdownBehavior *valueXML            `xml:"instanceInitiatedShutdownBehavior,omitempty"`
	UserData                          *valueXML            `xml:"userData,omitempty"`
	RootDeviceName                    *valueXML            `xml:"rootDeviceName,omitempty"`
	DisableAPITermination             *attributeBooleanXML `xml:"disableApiTermination,omitempty"`
	DisableAPIStop                    *attributeBooleanXML `xml:"disableApiStop,omitempty"`
	SourceDestCheck                   *attributeBooleanXML `xml:"sourceDestCheck,omitempty"`
	EnaSupport                        *attributeBooleanXML `xml:"enaSupport,omitempty"`
	EbsOptimized                      *attributeBooleanXML `xml:"ebsOptimized,omitempty"`
	GroupSet                          []groupXML           `xml:"groupSet>item"`
}

func (s *Service) describeInstanceAttribute(c *awsproto.Call, in *describeInstanceAttributeInput) (instanceAttributeResult, error) {
	if err := validInstanceIDs([]string{in.InstanceId}); err != nil {
		return instanceAttributeResult{}, err
	}
	inst, behavior, err := s.store.ShutdownBehavior(c.Region, in.InstanceId)
	if err != nil {
		return instanceAttributeResult{}, err
	}
	out := instanceAttributeResult{InstanceID: inst.ID}
	switch in.Attribute {
	case "instanceType":
		out.InstanceType = &valueXML{inst.InstanceType}
	case "instanceInitiatedShutdownBehavior":
		out.InstanceInitiatedShutdownBehavior = &valueXML{behavior}
	case "userData":
		if inst.UserData != "" {
			out.UserData = &valueXML{inst.UserData}
		}
	case "rootDeviceName":
		out.RootDeviceName = &valueXML{"/dev/xvda"}
	case "disableApiTermination":
		out.DisableAPITermination = &attributeBooleanXML{inst.DisableAPITermination}
	case "disableApiStop":
		out.DisableAPIStop = &attributeBooleanXML{inst.DisableAPIStop}
	case "sourceDestCheck":
		out.SourceDestCheck = &attributeBooleanXML{!inst.NoSourceDestCheck}
	case "enaSupport":
		out.EnaSupport = &attributeBooleanXML{!inst.NoEnaSupport}
	case "ebsOptimized":
		out.EbsOptimized = &attributeBooleanXML{inst.EbsOptimized}
	case "groupSet":
		out.GroupSet = s.instanceOut(c.Region, inst).GroupSet
	}
	// kernel, ramdisk, blockDeviceMapping, productCodes, sriovNetSupport and
	// enclaveOptions: none here, as for an HVM instance without them
	return out, nil
}
