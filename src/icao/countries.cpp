// SPDX-License-Identifier: Apache-2.0
// ISO 3166-1 alpha-2 → alpha-3 (as used by X.509 "C" and the MRZ, ICAO 9303-3 §5), generated
// from the Debian iso-codes table; plus the MRZ's "D" for Germany and ICAO codes for Kosovo
// ("XK" → "RKS") and the EU laissez-passer.
#include <cstring>

#include "dnie/icao/verification.hpp"

namespace dnie::icao {

namespace {
// Five characters each: alpha-2 then alpha-3, sorted by alpha-2.
const char* const kCountries[] = {
    "ADAND", "AEARE", "AFAFG", "AGATG", "AIAIA", "ALALB", "AMARM", "AOAGO", "AQATA", "ARARG", "ASASM",
    "ATAUT", "AUAUS", "AWABW", "AXALA", "AZAZE", "BABIH", "BBBRB", "BDBGD", "BEBEL", "BFBFA", "BGBGR",
    "BHBHR", "BIBDI", "BJBEN", "BLBLM", "BMBMU", "BNBRN", "BOBOL", "BQBES", "BRBRA", "BSBHS", "BTBTN",
    "BVBVT", "BWBWA", "BYBLR", "BZBLZ", "CACAN", "CCCCK", "CDCOD", "CFCAF", "CGCOG", "CHCHE", "CICIV",
    "CKCOK", "CLCHL", "CMCMR", "CNCHN", "COCOL", "CRCRI", "CUCUB", "CVCPV", "CWCUW", "CXCXR", "CYCYP",
    "CZCZE", "DEDEU", "DJDJI", "DKDNK", "DMDMA", "DODOM", "DZDZA", "ECECU", "EEEST", "EGEGY", "EHESH",
    "ERERI", "ESESP", "ETETH", "FIFIN", "FJFJI", "FKFLK", "FMFSM", "FOFRO", "FRFRA", "GAGAB", "GBGBR",
    "GDGRD", "GEGEO", "GFGUF", "GGGGY", "GHGHA", "GIGIB", "GLGRL", "GMGMB", "GNGIN", "GPGLP", "GQGNQ",
    "GRGRC", "GSSGS", "GTGTM", "GUGUM", "GWGNB", "GYGUY", "HKHKG", "HMHMD", "HNHND", "HRHRV", "HTHTI",
    "HUHUN", "IDIDN", "IEIRL", "ILISR", "IMIMN", "ININD", "IOIOT", "IQIRQ", "IRIRN", "ISISL", "ITITA",
    "JEJEY", "JMJAM", "JOJOR", "JPJPN", "KEKEN", "KGKGZ", "KHKHM", "KIKIR", "KMCOM", "KNKNA", "KPPRK",
    "KRKOR", "KWKWT", "KYCYM", "KZKAZ", "LALAO", "LBLBN", "LCLCA", "LILIE", "LKLKA", "LRLBR", "LSLSO",
    "LTLTU", "LULUX", "LVLVA", "LYLBY", "MAMAR", "MCMCO", "MDMDA", "MEMNE", "MFMAF", "MGMDG", "MHMHL",
    "MKMKD", "MLMLI", "MMMMR", "MNMNG", "MOMAC", "MPMNP", "MQMTQ", "MRMRT", "MSMSR", "MTMLT", "MUMUS",
    "MVMDV", "MWMWI", "MXMEX", "MYMYS", "MZMOZ", "NANAM", "NCNCL", "NENER", "NFNFK", "NGNGA", "NINIC",
    "NLNLD", "NONOR", "NPNPL", "NRNRU", "NUNIU", "NZNZL", "OMOMN", "PAPAN", "PEPER", "PFPYF", "PGPNG",
    "PHPHL", "PKPAK", "PLPOL", "PMSPM", "PNPCN", "PRPRI", "PSPSE", "PTPRT", "PWPLW", "PYPRY", "QAQAT",
    "REREU", "ROROU", "RSSRB", "RURUS", "RWRWA", "SASAU", "SBSLB", "SCSYC", "SDSDN", "SESWE", "SGSGP",
    "SHSHN", "SISVN", "SJSJM", "SKSVK", "SLSLE", "SMSMR", "SNSEN", "SOSOM", "SRSUR", "SSSSD", "STSTP",
    "SVSLV", "SXSXM", "SYSYR", "SZSWZ", "TCTCA", "TDTCD", "TFATF", "TGTGO", "THTHA", "TJTJK", "TKTKL",
    "TLTLS", "TMTKM", "TNTUN", "TOTON", "TRTUR", "TTTTO", "TVTUV", "TWTWN", "TZTZA", "UAUKR", "UGUGA",
    "UMUMI", "USUSA", "UYURY", "UZUZB", "VAVAT", "VCVCT", "VEVEN", "VGVGB", "VIVIR", "VNVNM", "VUVUT",
    "WFWLF", "WSWSM", "YEYEM", "YTMYT", "ZAZAF", "ZMZMB", "ZWZWE",
};
}  // namespace

std::string country_alpha3(std::string_view a2) {
  if (a2.size() != 2) return {};
  if (a2 == "DE") return "D";  // ICAO 9303-3 §5: Germany is "D" in the MRZ
  if (a2 == "XK") return "RKS";
  if (a2 == "EU") return "EUE";
  for (const char* c : kCountries)
    if (c[0] == a2[0] && c[1] == a2[1]) return std::string(c + 2, 3);
  return {};
}

}  // namespace dnie::icao
