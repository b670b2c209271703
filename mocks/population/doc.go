// Package population is the stand-in for the Ministry of Public Security's
// National Population Database as agencies reach it through the national data
// exchange platform (NDXP): a SOAP 1.1 service in namespace
// http://dancuquocgia.bca with citizen lookup (TraCuuThongTinCongDan),
// four-field verification (XacThucThongTinCongDan) and population counts
// (ThongKeDanSo), its WSDL, its own faults, credentials and size limit, and the
// few malformed records a real export carries. It serves a synthetic
// population and knows nothing of the hub that calls it; README.md documents
// the wire format.
package population
