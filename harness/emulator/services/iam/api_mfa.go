package iam

import (
	"encoding/base64"
	"slices"

	"github.com/groundstack/groundstack/harness/emulator/awsproto"
)

// Virtual MFA devices, checked with real TOTP codes (RFC 6238).

type serialRef struct {
	SerialNumber *string `required:"true" min:"9" max:"256" pattern:"[\\w+=/:,.@-]+"`
}

type createVirtualMFAInput struct {
	Path                 *string    `min:"1" max:"512" pattern:"(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"`
	VirtualMFADeviceName *string    `required:"true" min:"1" pattern:"[\\w+=,.@-]+"`
	Tags                 []tagInput `max:"50"`
}

type listVirtualMFAInput struct {
	AssignmentStatus *string `enum:"Assigned,Unassigned,Any"`
	page
}

type mfaCodesInput struct {
	userRef
	serialRef
	AuthenticationCode1 *string `required:"true" min:"6" max:"6" pattern:"[\\d]+"`
	AuthenticationCode2 *string `required:"true" min:"6" max:"6" pattern:"[\\d]+"`
}

type deactivateMFAInput struct {
	optionalUser
	serialRef
}

type getMFADeviceInput struct {
	serialRef
	UserName *string `min:"1" max:"64" pattern:"[\\w+=,.@-]+"`
}

type mfaTagInput struct {
	serialRef
	Tags []tagInput `required:"true" max:"50"`
}

type mfaUntagInput struct {
	serialRef
	TagKeys []string `required:"true" max:"50"`
}

type mfaTagPage struct {
	serialRef
	page
}

type virtualMFAXML struct {
	SerialNumber     string
	Base32StringSeed string           `xml:",omitempty"`
	User             *userXML         `xml:",omitempty"`
	EnableDate       string           `xml:",omitempty"`
	Tags             *members[tagXML] `xml:",omitempty"`
}

type createVirtualMFAResult struct {
	VirtualMFADevice virtualMFAXML
}

func (s *Service) createVirtualMFADevice(c *awsproto.Call, in *createVirtualMFAInput) (createVirtualMFAResult, error) {
	d, err := s.store.CreateVirtualMFADevice(orDefault(in.Path, "/"), *in.VirtualMFADeviceName, tagsOf(in.Tags))
	if err != nil {
		return createVirtualMFAResult{}, err
	}
	// The seed is a blob: base64 of its base32 text, as AWS sends it.
	return createVirtualMFAResult{virtualMFAXML{SerialNumber: d.Serial, Tags: tagsXML(d.Tags),
		Base32StringSeed: base64.StdEncoding.EncodeToString([]byte(d.Seed))}}, nil
}

type listVirtualMFAResult struct {
	VirtualMFADevices members[virtualMFAXML]
	pagination
}

func (s *Service) listVirtualMFADevices(c *awsproto.Call, in *listVirtualMFAInput) (listVirtualMFAResult, error) {
	view := func(d MFADevice) virtualMFAXML {
		x := virtualMFAXML{SerialNumber: d.Serial, Tags: tagsXML(d.Tags)}
		if d.User != "" {
			x.EnableDate = isoTime(d.Enabled)
			if u, err := s.store.GetUser(d.User); err == nil {
				ux := userSummary(u)
				x.User = &ux
			}
		}
		return x
	}
	shown, more, err := pageOf(s.store.VirtualMFADevices(orDefault(in.AssignmentStatus, "Any")), func(d MFADevice) string { return d.Serial }, in.page, view)
	return listVirtualMFAResult{shown, more}, err
}

func (s *Service) deleteVirtualMFADevice(c *awsproto.Call, in *serialRef) (struct{}, error) {
	return struct{}{}, s.store.DeleteVirtualMFADevice(*in.SerialNumber)
}

func (s *Service) enableMFADevice(c *awsproto.Call, in *mfaCodesInput) (struct{}, error) {
	return struct{}{}, s.store.EnableMFADevice(*in.UserName, *in.SerialNumber, *in.AuthenticationCode1, *in.AuthenticationCode2, s.env.Now())
}

func (s *Service) resyncMFADevice(c *awsproto.Call, in *mfaCodesInput) (struct{}, error) {
	return struct{}{}, s.store.ResyncMFADevice(*in.UserName, *in.SerialNumber, *in.AuthenticationCode1, *in.AuthenticationCode2, s.env.Now())
}

func (s *Service) deactivateMFADevice(c *awsproto.Call, in *deactivateMFAInput) (struct{}, error) {
	name, _ := s.userOrCaller(c, in.UserName)
	return struct{}{}, s.store.DeactivateMFADevice(name, *in.SerialNumber)
}

type mfaDeviceXML struct {
	UserName     string
	SerialNumber string
	EnableDate   string
}

type listMFADevicesResult struct {
	MFADevices members[mfaDeviceXML]
	pagination
}

func (s *Service) listMFADevices(c *awsproto.Call, in *optionalUserPage) (listMFADevicesResult, error) {
	name, ok := s.userOrCaller(c, in.UserName)
	if !ok {
		return listMFADevicesResult{}, nil // the root's devices are not IAM's to list here
	}
	devices, err := s.store.MFADevicesOf(name)
	if err != nil {
		return listMFADevicesResult{}, err
	}
	view := func(d MFADevice) mfaDeviceXML { return mfaDeviceXML{d.User, d.Serial, isoTime(d.Enabled)} }
	shown, more, err := pageOf(devices, nil, in.page, view)
	return listMFADevicesResult{shown, more}, err
}

type getMFADeviceResult struct {
	UserName     string `xml:",omitempty"`
	SerialNumber string
	EnableDate   string `xml:",omitempty"`
}

func (s *Service) getMFADevice(c *awsproto.Call, in *getMFADeviceInput) (getMFADeviceResult, error) {
	d, err := s.store.GetMFADevice(*in.SerialNumber)
	if err != nil {
		return getMFADeviceResult{}, err
	}
	if in.UserName != nil && key(*in.UserName) != key(d.User) {
		return getMFADeviceResult{}, noMFA(*in.SerialNumber)
	}
	out := getMFADeviceResult{UserName: d.User, SerialNumber: d.Serial}
	if d.User != "" {
		out.EnableDate = isoTime(d.Enabled)
	}
	return out, nil
}

func (s *Service) tagMFADevice(c *awsproto.Call, in *mfaTagInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateMFATags(*in.SerialNumber, func(t []Tag) ([]Tag, error) { return mergeTags(t, tagsOf(in.Tags)) })
}

func (s *Service) untagMFADevice(c *awsproto.Call, in *mfaUntagInput) (struct{}, error) {
	return struct{}{}, s.store.UpdateMFATags(*in.SerialNumber, func(t []Tag) ([]Tag, error) {
		return slices.DeleteFunc(t, func(x Tag) bool { return slices.Contains(in.TagKeys, x.Key) }), nil
	})
}

func (s *Service) listMFADeviceTags(c *awsproto.Call, in *mfaTagPage) (listTagsResult, error) {
	d, err := s.store.GetMFADevice(*in.SerialNumber)
	if err != nil {
		return listTagsResult{}, err
	}
	shown, more, err := pageOf(d.Tags, nil, in.page, tagOut)
	return listTagsResult{shown, more}, err
}
