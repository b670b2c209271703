package insurance

import (
	"encoding/json"
	"fmt"
)

type obj = map[string]any

// openAPIDocument describes the API as served, in OpenAPI 3.0.3. It is built
// from the same constants the handlers use so the two cannot drift apart;
// the golden test catches any unintended change to the published contract.
func openAPIDocument() ([]byte, error) {
	ref := func(name string) obj { return obj{"$ref": "#/components/schemas/" + name} }
	jsonBody := func(schema obj) obj { return obj{"application/json": obj{"schema": schema}} }
	errResp := func(desc string) obj { return obj{"description": desc, "content": jsonBody(ref("LoiPhanHoi"))} }
	dmy := func(desc string) obj {
		return obj{"type": "string", "description": desc + " (dd/MM/yyyy; yyyy khi chỉ có năm)", "example": "01/02/1980"}
	}
	retryAfter := obj{"Retry-After": obj{
		"description": "Số giây cần chờ trước khi gửi lại",
		"schema":      obj{"type": "integer", "minimum": 0},
	}}
	gatewayErrors := obj{
		"401": errResp("Thiếu hoặc sai khóa API (maKetQua 401)"),
		"429": obj{"description": "Vượt hạn mức truy cập (maKetQua 429)", "headers": retryAfter, "content": jsonBody(ref("LoiPhanHoi"))},
		"500": errResp("Lỗi hệ thống (maKetQua 500)"),
		"503": obj{"description": "Hệ thống bảo trì (maKetQua 503)", "headers": retryAfter, "content": jsonBody(ref("LoiPhanHoi"))},
		"504": errResp("Hết thời gian xử lý (maKetQua 504)"),
	}
	withGateway := func(ok obj) obj {
		out := obj{"200": ok}
		for k, v := range gatewayErrors {
			out[k] = v
		}
		return out
	}
	envelopeProps := func(duLieu obj) obj {
		return obj{
			"maKetQua": obj{"type": "string", "description": "Mã kết quả: 000 thành công; 003 yêu cầu không hợp lệ; " +
				"004 vượt quá số lượng tra cứu; 401 sai khóa API; 429 vượt hạn mức; 500 lỗi hệ thống; 503 bảo trì; 504 hết thời gian",
				"enum": []string{codeOK, codeBadRequest, codeTooMany, codeAuth, codeNoRoute, codeMethod, codeRateLimited, codeSystem, codeMaintenance, codeTimeout}},
			"thongDiep": obj{"type": "string"},
			"maYeuCau":  obj{"type": "string", "description": "Mã yêu cầu của bên gọi, trả lại nguyên văn"},
			"thoiGian":  obj{"type": "string", "description": "Thời điểm trả lời, giờ Việt Nam (dd/MM/yyyy HH:mm:ss)"},
			"duLieu":    duLieu,
		}
	}

	doc := obj{
		"openapi": "3.0.3",
		"info": obj{
			"title":   "Cổng tra cứu thẻ BHYT — Bảo hiểm xã hội Việt Nam (stand-in)",
			"version": apiVersion,
			"description": "Tra cứu thẻ bảo hiểm y tế theo lô số định danh cá nhân. Lỗi nghiệp vụ trả HTTP 200 với maKetQua khác 000; " +
				"lỗi xác thực, hạn mức và sự cố hệ thống trả mã HTTP tương ứng kèm cùng cấu trúc phản hồi.",
		},
		"servers":  []obj{{"url": "/"}},
		"security": []obj{{"KhoaAPI": []string{}}},
		"paths": obj{
			PathLookup: obj{"post": obj{
				"operationId": OpLookup,
				"summary":     "Tra cứu thẻ BHYT theo lô số định danh",
				"description": fmt.Sprintf("Tối đa %d số định danh mỗi yêu cầu. Kết quả theo thứ tự danh sách gửi lên, "+
					"mỗi phần tử có maKetQua riêng: 000 có thẻ, 001 không tìm thấy, 002 số định danh không hợp lệ.", MaxBatch),
				"requestBody": obj{"required": true, "content": jsonBody(ref("YeuCauTraCuuLo"))},
				"responses": withGateway(obj{
					"description": "Đã xử lý; xem maKetQua (000, 003, 004)",
					"content":     jsonBody(ref("PhanHoiTraCuuLo")),
				}),
			}},
			PathHealth: obj{"get": obj{
				"operationId": OpHealth,
				"summary":     "Kiểm tra trạng thái hệ thống",
				"responses": withGateway(obj{
					"description": "Hệ thống hoạt động",
					"content":     jsonBody(ref("PhanHoiTrangThai")),
				}),
			}},
		},
		"components": obj{
			"securitySchemes": obj{"KhoaAPI": obj{"type": "apiKey", "in": "header", "name": APIKeyHeader}},
			"schemas": obj{
				"YeuCauTraCuuLo": obj{
					"type":     "object",
					"required": []string{"dsSoDinhDanh"},
					"properties": obj{
						"maYeuCau": obj{"type": "string", "maxLength": 64, "pattern": "^[A-Za-z0-9._-]*$"},
						"dsSoDinhDanh": obj{"type": "array", "minItems": 1, "maxItems": MaxBatch,
							"items": obj{"type": "string", "pattern": "^[0-9]{12}$", "description": "Số định danh cá nhân 12 số"}},
					},
				},
				"KetQuaThe": obj{
					"type":     "object",
					"required": []string{"soDinhDanh", "maKetQua", "thongDiep"},
					"properties": obj{
						"soDinhDanh": obj{"type": "string"},
						"maKetQua":   obj{"type": "string", "enum": []string{codeOK, codeNotFound, codeInvalidID}},
						"thongDiep":  obj{"type": "string"},
						"maThe": obj{"type": "string", "description": "Mã thẻ 15 ký tự (XX Y ZZ NNNNNNNNNN) với thẻ cũ; " +
							"mã số BHXH 10 số với thẻ mới"},
						"maSoBhxh":       obj{"type": "string", "pattern": "^[0-9]{10}$"},
						"hoTen":          obj{"type": "string"},
						"ngaySinh":       dmy("Ngày sinh"),
						"gioiTinh":       obj{"type": "integer", "enum": []int{1, 2}, "description": "1 Nam, 2 Nữ"},
						"maDoiTuong":     obj{"type": "string", "description": "Mã đối tượng (2 chữ cái)"},
						"mucHuong":       obj{"type": "integer", "minimum": 1, "maximum": 5},
						"maTinh":         obj{"type": "string", "description": "Mã tỉnh nơi phát hành thẻ (2 số)"},
						"gtTheTu":        dmy("Giá trị thẻ từ ngày"),
						"gtTheDen":       dmy("Giá trị thẻ đến ngày"),
						"maDKBD":         obj{"type": "string", "description": "Mã nơi đăng ký khám chữa bệnh ban đầu"},
						"tenDKBD":        obj{"type": "string"},
						"thoiDiemDu5Nam": obj{"type": "string", "description": "Thời điểm đủ 5 năm liên tục (dd/MM/yyyy); rỗng nếu chưa đủ"},
					},
				},
				"PhanHoiTraCuuLo": obj{
					"type":       "object",
					"required":   []string{"maKetQua", "thongDiep", "duLieu"},
					"properties": envelopeProps(obj{"type": "array", "nullable": true, "items": ref("KetQuaThe")}),
				},
				"PhanHoiTrangThai": obj{
					"type":     "object",
					"required": []string{"maKetQua", "thongDiep", "duLieu"},
					"properties": envelopeProps(obj{"type": "object", "properties": obj{
						"trangThai": obj{"type": "string", "enum": []string{"HOAT_DONG"}},
						"phienBan":  obj{"type": "string"},
					}}),
				},
				"LoiPhanHoi": obj{
					"type":       "object",
					"required":   []string{"maKetQua", "thongDiep"},
					"properties": envelopeProps(obj{"nullable": true, "description": "Luôn null khi có lỗi"}),
				},
			},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	return append(b, '\n'), nil
}
