package deploy

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	apigw "github.com/aws/aws-sdk-go-v2/service/apigateway"
)

// ErrNoRestAPI is FindRestAPI's answer when no API has the name.
var ErrNoRestAPI = errors.New("deploy: no REST API of that name")

// FindRestAPI looks up a deployed REST API by name, as a client that knows
// only the cloud's endpoint would: its stage (stage, or DefaultStage, or
// the only one it has) and that stage's invoke URLs.
func FindRestAPI(ctx context.Context, cfg aws.Config, name, stage string) (RestAPI, error) {
	c := apigw.NewFromConfig(cfg)
	var ids []string
	p := apigw.NewGetRestApisPaginator(c, &apigw.GetRestApisInput{Limit: aws.Int32(500)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return RestAPI{}, fmt.Errorf("deploy: list REST APIs: %w", err)
		}
		for _, a := range page.Items {
			if aws.ToString(a.Name) == name {
				ids = append(ids, aws.ToString(a.Id))
			}
		}
	}
	switch len(ids) {
	case 0:
		return RestAPI{}, fmt.Errorf("%w %q", ErrNoRestAPI, name)
	case 1:
	default:
		sort.Strings(ids)
		return RestAPI{}, fmt.Errorf("deploy: %d REST APIs are named %q (%v); give the API's URL instead", len(ids), name, ids)
	}
	out, err := c.GetStages(ctx, &apigw.GetStagesInput{RestApiId: &ids[0]})
	if err != nil {
		return RestAPI{}, fmt.Errorf("deploy: stages of %s: %w", ids[0], err)
	}
	var names []string
	for _, s := range out.Item {
		names = append(names, aws.ToString(s.StageName))
	}
	sort.Strings(names)
	want := stage
	if want == "" {
		want = DefaultStage
	}
	for _, n := range names {
		if n == want {
			return restAPIURLs(cfg, ids[0], n), nil
		}
	}
	if stage == "" && len(names) == 1 {
		return restAPIURLs(cfg, ids[0], names[0]), nil
	}
	return RestAPI{}, fmt.Errorf("deploy: REST API %q (%s) has no stage %q (stages: %v)", name, ids[0], want, names)
}
