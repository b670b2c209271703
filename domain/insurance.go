package domain

// InsuranceCard is a health insurance card (thẻ BHYT) from Vietnam Social Security.
type InsuranceCard struct {
	HolderID       string // 12-digit personal ID of the holder
	CardCode       string // old 15-character code "XX Y ZZ NNNNNNNNNN"; empty on new cards
	SocialNumber   string // 10-digit social insurance number (mã số BHXH)
	HolderName     string
	BirthDate      Date
	Sex            Sex
	GroupCode      string // 2-letter beneficiary group, e.g. "DN", "HS", "GD"
	BenefitLevel   int    // 1..5
	ProvinceCode   string // 2-digit code of the issuing province
	ValidFrom      Date
	ValidTo        Date
	ClinicCode     string // registered primary-care clinic (nơi đăng ký KCB ban đầu)
	ClinicName     string
	FiveYearsSince Date // date from which five consecutive years are counted; zero if not reached
}

// ValidOn reports whether the card covers the given day.
func (c InsuranceCard) ValidOn(d Date) bool {
	t := d.Time()
	return !t.Before(c.ValidFrom.Time()) && !t.After(c.ValidTo.Time())
}
