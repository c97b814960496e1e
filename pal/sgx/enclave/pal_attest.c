/* Trusted PAL: attestation (pal.h: attest_report, attest_target_info,
 * attest_quote, attest_verify_report).
 *
 * Reports are the CPU's (EREPORT), their MACs checked with the CPU's REPORT
 * key (EGETKEY): nothing of the host is involved. A quote needs the
 * platform's quoting enclave, which only the host can reach: the host gives
 * its TARGETINFO (OCALL_ATTEST_QE_TARGET) and turns this enclave's REPORT
 * for it into a quote (OCALL_ATTEST_QUOTE). Neither answer is trusted: a
 * false TARGETINFO only yields a REPORT the real quoting enclave refuses,
 * and a quote is taken only when its size is the one it declares and it
 * carries, byte for byte, the report body this enclave just made (its
 * identity and the caller's report data). Whether its signature is good is
 * for the verifier to check: the enclave has no way to. */
#include "crypto.h"
#include "pal_enclave.h"
#include "sgx_quote.h"

#define TARGETINFO_SIZE 512
#define REPORTDATA_SIZE 64

static void log_line(const char *msg)
{
    crypto_platform_log(msg, __builtin_strlen(msg));
}

/* EREPORT with operands in enclave memory at the alignment the CPU wants. */
static void ereport(const void *target_info, const void *report_data, struct sgx_report *out)
{
    static const uint8_t zero_ti[TARGETINFO_SIZE] __attribute__((aligned(512)));
    struct sgx_targetinfo ti;
    uint8_t rd[REPORTDATA_SIZE] __attribute__((aligned(128)));

    memcpy(&ti, target_info ? target_info : zero_ti, sizeof(ti));
    if (report_data)
        memcpy(rd, report_data, sizeof(rd));
    else
        memset(rd, 0, sizeof(rd));
    enclave_ereport(&ti, rd, out);
}

static long attest_report(const void *target_info, const void *report_data, void *report)
{
    struct sgx_report r;

    if (!target_info || !report_data || !report)
        return -PAL_EFAULT;
    ereport(target_info, report_data, &r);
    memcpy(report, &r, SGX_REPORT_SIZE);
    return 0;
}

static long attest_target_info(void *target_info)
{
    struct sgx_report r;
    struct sgx_targetinfo ti;

    if (!target_info)
        return -PAL_EFAULT;
    ereport(NULL, NULL, &r);
    memset(&ti, 0, sizeof(ti));
    memcpy(ti.measurement, r.body.mrenclave, sizeof(ti.measurement));
    ti.attributes = r.body.attributes;
    ti.cet_attributes = r.body.cet_attributes;
    ti.config_svn = r.body.config_svn;
    ti.miscselect = r.body.miscselect;
    memcpy(ti.config_id, r.body.config_id, sizeof(ti.config_id));
    memcpy(target_info, &ti, TARGETINFO_SIZE);
    return 0;
}

static int bytes_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t d = 0;

    for (size_t i = 0; i < n; i++)
        d |= a[i] ^ b[i];
    return !d;
}

/* A quote the host returned (q, got bytes, enclave memory) fits what this
 * enclave asked for: its declared size is exactly got, and its body is the
 * REPORT's body. */
static int quote_ok(const uint8_t *q, uint64_t got, const struct sgx_report *mine)
{
    if (sgx_quote_size(q, got) != got) {
        log_line(
            "geode: attestation: the host's quote has a size other than it declares: refused\n");
        return 0;
    }
    if (!bytes_equal(q + SGX_QUOTE_BODY_OFFSET, (const uint8_t *)&mine->body, sizeof(mine->body))) {
        log_line("geode: attestation: the host's quote is not over this enclave's report (identity "
                 "or report data differ): refused\n");
        return 0;
    }
    return 1;
}

/* The quote is received straight into the caller's buffer, which must be
 * enclave memory (the libOS's): once copied in, the host cannot change it
 * between the checks and the use. A refused quote is wiped. */
static long attest_quote(const void *report_data, void *buf, size_t len)
{
    struct ocall_args a = {{0}};
    struct ocall_iov none = {&a, sizeof(a)};
    struct sgx_targetinfo qe;
    struct sgx_report r;
    uint64_t got = 0, cap = len < OCALL_QUOTE_MAX ? len : OCALL_QUOTE_MAX;
    int64_t ret;

    if (!report_data || !buf)
        return -PAL_EFAULT;
    if (!crypto_platform_private(buf, len))
        return -PAL_EFAULT;
    ret = enclave_ocallv(OCALL_ATTEST_QE_TARGET, &none, 1, &qe, sizeof(qe), &got);
    if (ret < 0)
        return ret;
    if (ret != 0 || got != sizeof(qe))
        return -PAL_EIO;
    ereport(&qe, report_data, &r);
    struct ocall_iov in[2] = {{&a, sizeof(a)}, {&r, SGX_REPORT_SIZE}};

    ret = enclave_ocallv(OCALL_ATTEST_QUOTE, in, 2, buf, cap, &got);
    if (ret == -PAL_ENOSPC || ret == -PAL_EPERM || ret == -PAL_ENOENT)
        return ret;
    if (ret < 0)
        return -PAL_EIO;
    if ((uint64_t)ret != got) {
        log_line("geode: attestation: the host's quote size and its reply disagree: refused\n");
        ret = -PAL_EIO;
    } else if (!quote_ok(buf, got, &r)) {
        ret = -PAL_EPERM;
    }
    if (ret < 0)
        memset(buf, 0, got);
    return ret;
}

static long attest_verify_report(const void *report)
{
    struct sgx_report r;
    struct sgx_keyrequest kr;
    uint8_t key[16] __attribute__((aligned(16))), mac[16];
    long ret = -PAL_EPERM;

    if (!report)
        return -PAL_EFAULT;
    memcpy(&r, report, SGX_REPORT_SIZE);
    memset(&kr, 0, sizeof(kr));
    kr.key_name = SGX_KEYNAME_REPORT;
    memcpy(kr.key_id, r.key_id, sizeof(kr.key_id));
    if (enclave_egetkey(&kr, key))
        return -PAL_EIO;
    if (enclave_aes_cmac(key, &r.body, sizeof(r.body), mac))
        ret = -PAL_EIO;
    else if (bytes_equal(mac, r.mac, sizeof(mac)))
        ret = 0;
    memset(key, 0, sizeof(key));
    __asm__ volatile("" : : "r"(key) : "memory");
    return ret;
}

void enclave_fill_attest(struct pal_api *api)
{
    api->attest_report = attest_report;
    api->attest_target_info = attest_target_info;
    api->attest_quote = attest_quote;
    api->attest_verify_report = attest_verify_report;
}
