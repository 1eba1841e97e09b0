package market

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ReceiptKey is where a request's receipt is stored in the receipts bucket.
func ReceiptKey(requestID string) string { return "receipts/" + requestID + ".pdf" }

// RenderReceipt is a request's receipt as a one-page PDF (core fonts,
// Latin-1 text).
func RenderReceipt(r Request, issued time.Time) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetTitle("Bond receipt "+r.RequestID, true)
	pdf.SetCreator("bondmarket", true)
	pdf.AddPage()
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetFont("Helvetica", "B", 20)
	pdf.CellFormat(0, 12, "Bond receipt", "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 12)
	pdf.CellFormat(0, 8, tr("Issued "+issued.UTC().Format("2006-01-02 15:04 UTC")), "", 1, "L", false, 0, "")
	pdf.Ln(4)
	rows := [][2]string{
		{"Request", r.RequestID},
		{"Group", r.GroupID},
		{"User", r.UserID},
		{"Fixture", r.FixtureID},
		{"League", r.LeagueName},
		{"Round", r.Round},
		{"Match date", r.Date},
		{"Bet", r.Result},
		{"Quantity", fmt.Sprintf("%d bonds", r.Quantity)},
		{"Amount", fmt.Sprintf("%.0f", r.Amount)},
		{"Paid by", map[bool]string{true: "wallet", false: "card"}[r.Payment == "wallet"]},
		{"Status", r.Status},
	}
	for _, row := range rows {
		if strings.TrimSpace(row[1]) == "" {
			continue
		}
		pdf.SetFont("Helvetica", "B", 12)
		pdf.CellFormat(40, 8, row[0], "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 12)
		pdf.CellFormat(0, 8, tr(row[1]), "", 1, "L", false, 0, "")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render receipt: %w", err)
	}
	return buf.Bytes(), nil
}

func (m *Market) postReceipt(ctx context.Context, id string) (reply, error) {
	r, err := m.Request(ctx, id)
	if err != nil {
		return refused(err)
	}
	doc, err := RenderReceipt(r, m.now())
	if err != nil {
		return reply{}, err
	}
	k := ReceiptKey(r.RequestID)
	if _, err := m.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &m.Settings.ReceiptsBucket, Key: &k,
		Body: bytes.NewReader(doc), ContentType: aws.String("application/pdf"),
		ContentDisposition: aws.String(`inline; filename="receipt-` + r.RequestID + `.pdf"`)}); err != nil {
		return reply{}, fmt.Errorf("store receipt: %w", err)
	}
	signed, err := m.Presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &m.Settings.ReceiptsBucket, Key: &k},
		s3.WithPresignExpires(m.Settings.ReceiptTTL))
	if err != nil {
		return reply{}, fmt.Errorf("presign receipt: %w", err)
	}
	return ok(201, map[string]any{"url": signed.URL, "bucket": m.Settings.ReceiptsBucket, "key": k,
		"expires_in": int(m.Settings.ReceiptTTL.Seconds()), "request_id": r.RequestID})
}
