// SPDX-License-Identifier: Apache-2.0
// Fuzz target: CRL and OCSP response checks of the crypto façade (dnie/crypto/revocation.hpp)
// about a fixed certificate and issuer (a throwaway test CA made with the openssl command line;
// the seed corpus holds its CRLs and OCSP responses). Whatever the input, "good" needs a current
// answer with its dates, and nothing crashes.
#include "dnie/crypto/revocation.hpp"

#include "driver.hpp"

namespace {

const char kCa[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICIDCCAYmgAwIBAgIBATANBgkqhkiG9w0BAQsFADAzMQswCQYDVQQGEwJFUzEN\n"
    "MAsGA1UECgwERlVaWjEVMBMGA1UEAwwMRlVaWiBURVNUIENBMCAXDTI2MTIwNjA5\n"
    "MTY1NFoYDzIxMjYxMTEyMDkxNjU0WjAzMQswCQYDVQQGEwJFUzENMAsGA1UECgwE\n"
    "RlVaWjEVMBMGA1UEAwwMRlVaWiBURVNUIENBMIGfMA0GCSqGSIb3DQEBAQUAA4GN\n"
    "ADCBiQKBgQDF22F94es8fxgE10s6XDJ4Sd0TCRgcMXnu27vWXci8YUSK634FtOLf\n"
    "ut1FSBkIxXBaneX1bXFlvnbaK0QUNXHWxZsiuLJY82JYzS4TewewUKZijMemg+el\n"
    "Lz6hRbdiLCiw8/L0VmsubPiXYlP5rPFeKIuRYviAuZWAN4P2FDH4MQIDAQABo0Iw\n"
    "QDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUSjF0\n"
    "LXyBOs7w+m4hmRL2oiPdeeQwDQYJKoZIhvcNAQELBQADgYEAk8m1LMH6aiYLXfgw\n"
    "UmdPMcVQAkizeBiz4hSxG2QTGqkZL+nPecV/MSJJru8k21n+lkgVsKcoOy4rpzgU\n"
    "OEyHaiuycqWJl6vAPx81x5JE0qVsfU/+VF1awF5UmN/Nb1nDpLuAHN0rovS/mzKd\n"
    "6eSTq+rsfbsT/weLmHtimlEpBNQ=\n"
    "-----END CERTIFICATE-----\n";
const char kHolder[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIICTzCCAbigAwIBAgIBBTANBgkqhkiG9w0BAQsFADAzMQswCQYDVQQGEwJFUzEN\n"
    "MAsGA1UECgwERlVaWjEVMBMGA1UEAwwMRlVaWiBURVNUIENBMCAXDTI2MTIwNjA5\n"
    "MTY1NFoYDzIxMjYxMTEyMDkxNjU0WjBEMQswCQYDVQQGEwJFUzESMBAGA1UEBRMJ\n"
    "OTk5OTk5OTlSMSEwHwYDVQQDDBhGVVpaIFRFU1QgSE9MREVSIChGSVJNQSkwgZ8w\n"
    "DQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAL+a/lPu2s9ep5Ba+uGpMKA+VvAwb8WW\n"
    "7jrh+c8G+AiaFqomD8mngfYg5U2GFoqrTSe4hNlk9rjGnrBHgpu0xEksOxtaEK1g\n"
    "Iw+tAPcpd5IoIAdn4EufvhDt90jHwTxG3gfAe6Jpjad0YROJfLsJ/UYa5RHm9LAL\n"
    "3RTRed5xk0mdAgMBAAGjYDBeMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgZA\n"
    "MB8GA1UdIwQYMBaAFEoxdC18gTrO8PpuIZkS9qIj3XnkMB0GA1UdDgQWBBRRJDA8\n"
    "cierkeEQGRVtcOqDIh6pwTANBgkqhkiG9w0BAQsFAAOBgQATfq/WnZk3/7sY//A9\n"
    "f+QjxI1SsKO9DmHvbeBHyJRlV7gAml2Ug1M/f7KiZEyB9KGEXTIaaAvGSDB2FMin\n"
    "/ekRkXTEhsBvckhGtOkQ3QEf8Sz87iAHkE5hppwd1woc5Z7WwYL1I/1uitMb8ChZ\n"
    "dAXgMa2+CQneBJCPWWO6s7YXLw==\n"
    "-----END CERTIFICATE-----\n";

}  // namespace

DNIE_FUZZ_TARGET {
  using namespace dnie;
  using namespace dnie::crypto;
  static const Certificate ca = Certificate::parse_any(ByteView::of(kCa)).value();
  static const Certificate holder = Certificate::parse_any(ByteView::of(kHolder)).value();
  RevocationCheckOptions o;
  o.now = 1768478400;  // 2026-01-15T12:00:00Z: inside the seed CRLs' thisUpdate..nextUpdate
  for (const RevocationResult& r :
       {check_crl(input, holder, ca, o), check_ocsp_response(input, holder, ca, o)}) {
    DNIE_FUZZ_ASSERT(!r.detail.empty());
    if (r.status == RevocationStatus::Good) DNIE_FUZZ_ASSERT(r.this_update.has_value());
    (void)revocation_status_name(r.status);
  }
  o.nonce = Bytes(16, 0x42);
  o.require_nonce = true;
  const RevocationResult n = check_ocsp_response(input, holder, ca, o);
  if (n.status == RevocationStatus::Good) DNIE_FUZZ_ASSERT(n.nonce_echoed == true);
}
