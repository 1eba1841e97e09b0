// Command api is the deliveries flow's one Lambda function: POST /token,
// POST /registrar_pedido_entregado, GET /pedidos and GET /metrics, behind
// an API Gateway REST API (payload v1) and a Function URL (payload v2).
// It runs unchanged on AWS: configuration comes from the environment and
// the AWS SDK's default chain (AWS_ENDPOINT_URL on an emulator).
//
// Environment: DELIVERIES_USERS_TABLE, DELIVERIES_ORDERS_TABLE,
// DELIVERIES_METRICS_TABLE, DELIVERIES_PRODUCTS_TABLE (defaults Usuarios,
// Pedidos, PedidosMetricas, PedidosProductos),
// DELIVERIES_TIME_ZONE (default America/Bogota), JWT_SECRET_ID (a Secrets
// Manager secret) or JWT_SECRET, TOKEN_TTL (default 30m).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
	_ "time/tzdata" // Lambda's provided runtimes may lack /usr/share/zoneinfo

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/groundstack/groundstack/handlers/deliveries/app"
	"github.com/groundstack/groundstack/handlers/deliveries/auth"
	"github.com/groundstack/groundstack/handlers/deliveries/ledger"
	"github.com/groundstack/groundstack/handlers/sdkhttp"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	a, err := build(context.Background(), log)
	if err != nil {
		log.Error("init", "err", err)
		os.Exit(1)
	}
	lambda.Start(a.HandleEvent)
}

func build(ctx context.Context, log *slog.Logger) (*app.App, error) {
	zoneName := env("DELIVERIES_TIME_ZONE", "America/Bogota")
	zone, err := time.LoadLocation(zoneName)
	if err != nil {
		return nil, fmt.Errorf("DELIVERIES_TIME_ZONE=%q: %w", zoneName, err)
	}
	ttl := auth.DefaultTTL
	if s := os.Getenv("TOKEN_TTL"); s != "" {
		if ttl, err = time.ParseDuration(s); err != nil || ttl <= 0 {
			return nil, fmt.Errorf("TOKEN_TTL=%q is not a positive duration", s)
		}
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	// Large Query pages hit an SDK race without it (see sdkhttp).
	db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient) })
	l := ledger.New(db, ledger.Tables{
		Users:    env("DELIVERIES_USERS_TABLE", "Usuarios"),
		Orders:   env("DELIVERIES_ORDERS_TABLE", "Pedidos"),
		Metrics:  env("DELIVERIES_METRICS_TABLE", "PedidosMetricas"),
		Products: env("DELIVERIES_PRODUCTS_TABLE", "PedidosProductos"),
	}, zone)
	return app.New(l, secretSource(cfg, ttl), zone, time.Now, log), nil
}

// secretSource loads the signing secret once it is first needed (from
// JWT_SECRET, or the Secrets Manager secret JWT_SECRET_ID) and keeps it
// for the life of the instance; a failed load is retried on the next
// request.
func secretSource(cfg aws.Config, ttl time.Duration) app.TokenSource {
	var (
		mu     sync.Mutex
		tokens *auth.Tokens
	)
	return func(ctx context.Context) (*auth.Tokens, error) {
		mu.Lock()
		defer mu.Unlock()
		if tokens != nil {
			return tokens, nil
		}
		secret := os.Getenv("JWT_SECRET")
		if id := os.Getenv("JWT_SECRET_ID"); secret == "" && id != "" {
			sm := secretsmanager.NewFromConfig(cfg, func(o *secretsmanager.Options) { o.HTTPClient = sdkhttp.DetachedBodies(o.HTTPClient) })
			out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &id})
			if err != nil {
				return nil, fmt.Errorf("read secret %s: %w", id, err)
			}
			secret = aws.ToString(out.SecretString)
		}
		if secret == "" {
			return nil, errors.New("no token secret: set JWT_SECRET_ID (Secrets Manager) or JWT_SECRET")
		}
		t, err := auth.NewTokens([]byte(secret), ttl, time.Now)
		if err != nil {
			return nil, err
		}
		tokens = t
		return t, nil
	}
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
