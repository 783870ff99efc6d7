package host

import (
	"encoding/json"
	"testing"
)

func TestSleepingDriveReadingIsTheWD(t *testing.T) {
	serial, data, err := SleepingDriveReading()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Serial string `json:"serial_number"`
		Device struct {
			Name string `json:"name"`
		} `json:"device"`
		Status struct {
			Passed bool `json:"passed"`
		} `json:"smart_status"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if serial != "WX12A3456789" || doc.Serial != serial || doc.Device.Name != "/dev/sdd" || !doc.Status.Passed {
		t.Fatalf("serial %q, doc %+v", serial, doc)
	}
}
