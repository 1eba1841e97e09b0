package ec2_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func TestVolumes(t *testing.T) {
	t.Parallel()
	f := start(t)
	in := aws.ToString(f.run(t, 1)[0].InstanceId)
	vol := must[*ec2.CreateVolumeOutput](t)(f.c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"),
		Size: aws.Int32(10), VolumeType: types.VolumeTypeGp3,
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeVolume, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("data")}}}}}))
	id := aws.ToString(vol.VolumeId)
	if aws.ToInt32(vol.Size) != 10 || vol.VolumeType != types.VolumeTypeGp3 || tagsOf(vol.Tags)["Name"] != "data" {
		t.Fatalf("CreateVolume: %+v", vol)
	}
	must[*ec2.DescribeVolumesOutput](t)(f.c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{id}}))
	w := ec2.NewVolumeAvailableWaiter(f.c)
	if err := w.Wait(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{id}}, 5*time.Second); err != nil {
		t.Fatal(err)
	}

	other := must[*ec2.CreateVolumeOutput](t)(f.c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1b"), Size: aws.Int32(1)}))
	_, err := f.c.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: other.VolumeId, InstanceId: &in, Device: aws.String("/dev/sdf")})
	wantAPIError(t, err, "InvalidVolume.ZoneMismatch", "The volume '"+aws.ToString(other.VolumeId)+"' is not in the same availability zone as instance '"+in+"'")

	att := must[*ec2.AttachVolumeOutput](t)(f.c.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: &id, InstanceId: &in, Device: aws.String("/dev/sdf")}))
	if att.State != types.VolumeAttachmentStateAttaching || aws.ToString(att.Device) != "/dev/sdf" {
		t.Fatalf("AttachVolume: %+v", att)
	}
	got := must[*ec2.DescribeVolumesOutput](t)(f.c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{
		Filters: []types.Filter{filter("attachment.instance-id", in)}}))
	if len(got.Volumes) != 1 || got.Volumes[0].State != types.VolumeStateInUse || got.Volumes[0].Attachments[0].State != types.VolumeAttachmentStateAttached {
		t.Fatalf("DescribeVolumes: %+v", got.Volumes)
	}
	_, err = f.c.DeleteVolume(ctx, &ec2.DeleteVolumeInput{VolumeId: &id})
	wantAPIError(t, err, "VolumeInUse", "Volume "+id+" is currently attached to "+in)
	_, err = f.c.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: &id, InstanceId: &in, Device: aws.String("/dev/sdg")})
	wantAPIError(t, err, "VolumeInUse", id+" is already attached to an instance")

	st := must[*ec2.DescribeVolumeStatusOutput](t)(f.c.DescribeVolumeStatus(ctx, &ec2.DescribeVolumeStatusInput{VolumeIds: []string{id}}))
	if len(st.VolumeStatuses) != 1 || st.VolumeStatuses[0].VolumeStatus.Status != types.VolumeStatusInfoStatusOk {
		t.Fatalf("DescribeVolumeStatus: %+v", st.VolumeStatuses)
	}

	must[*ec2.DetachVolumeOutput](t)(f.c.DetachVolume(ctx, &ec2.DetachVolumeInput{VolumeId: &id}))
	_, err = f.c.DetachVolume(ctx, &ec2.DetachVolumeInput{VolumeId: &id})
	wantAPIError(t, err, "IncorrectState", "Volume '"+id+"' is in the 'available' state.")
	must[*ec2.DeleteVolumeOutput](t)(f.c.DeleteVolume(ctx, &ec2.DeleteVolumeInput{VolumeId: &id}))
	_, err = f.c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{id}})
	wantAPIError(t, err, "InvalidVolume.NotFound", "The volume '"+id+"' does not exist.")
	_, err = f.c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a")})
	wantAPIError(t, err, "MissingParameter", "The request must contain the parameter size or snapshotId")
	_, err = f.c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("us-east-1a"), Size: aws.Int32(20), VolumeType: types.VolumeTypeSt1})
	wantAPIError(t, err, "InvalidParameterValue", "")
}
