/*
 * AutoMTLS certificate: generated, then parsed back with OpenSSL and
 * checked against what go-plugin clients require.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tb/rpc.h"
#include "tb/util.h"

static X509 *parse_cert(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

	BIO_free(b);
	return x;
}

static EVP_PKEY *parse_key(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);

	BIO_free(b);
	return k;
}

/* Decodes unpadded standard base64 (padding restored first). */
static unsigned char *unbase64(const char *s, int *out_len)
{
	size_t n = strlen(s), padded = (n + 3) / 4 * 4;
	char *in = calloc(padded + 1, 1);
	unsigned char *out = calloc(padded, 1);
	int len;

	memcpy(in, s, n);
	memset(in + n, '=', padded - n);
	len = EVP_DecodeBlock(out, (unsigned char *)in, (int)padded);
	free(in);
	*out_len = len - (int)(padded - n);
	return out;
}

static void test_rpc_cert_key_and_names(void **state)
{
	struct tb_rpc_cert c;
	X509 *x;
	EVP_PKEY *key;
	char group[64];
	GENERAL_NAMES *san;
	const GENERAL_NAME *gn;
	char cn[64];

	assert_int_equal(tb_rpc_cert_generate(&c), 0);
	x = parse_cert(c.cert_pem);
	key = parse_key(c.key_pem);
	assert_non_null(x);
	assert_non_null(key);
	assert_int_equal(X509_check_private_key(x, key), 1);
	assert_int_equal(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof(group), NULL),
	                 1);
	assert_string_equal(group, "prime256v1");
	assert_int_equal(X509_verify(x, key), 1); /* self-signed */
	assert_int_equal(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
	                                      sizeof(cn)) > 0);
	assert_string_equal(cn, "localhost");
	san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	assert_non_null(san);
	assert_int_equal(sk_GENERAL_NAME_num(san), 1);
	gn = sk_GENERAL_NAME_value(san, 0);
	assert_int_equal(gn->type, GEN_DNS);
	assert_string_equal((const char *)ASN1_STRING_get0_data(gn->d.dNSName), "localhost");
	assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	GENERAL_NAMES_free(san);
	EVP_PKEY_free(key);
	X509_free(x);
	tb_rpc_cert_free(&c);
	assert_null(c.cert_pem);
}

static void test_rpc_cert_extensions(void **state)
{
	struct tb_rpc_cert c;
	X509 *x;
	time_t now = time(NULL), t;

	assert_int_equal(tb_rpc_cert_generate(&c), 0);
	x = parse_cert(c.cert_pem);
	assert_non_null(x);
	assert_int_equal(X509_get_version(x), X509_VERSION_3);
	assert_int_equal(X509_check_ca(x), 1);
	assert_true(X509_get_extension_flags(x) & EXFLAG_CA);
	assert_int_equal(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT |
	                                            KU_KEY_AGREEMENT | KU_KEY_CERT_SIGN);
	assert_int_equal(X509_get_extended_key_usage(x), XKU_SSL_SERVER | XKU_SSL_CLIENT);
	/* NotBefore a little in the past, NotAfter about 30 years ahead. */
	t = now;
	assert_true(X509_cmp_time(X509_get0_notBefore(x), &t) < 0);
	t = now - 120;
	assert_true(X509_cmp_time(X509_get0_notBefore(x), &t) > 0);
	t = now + 29L * 365 * 86400;
	assert_true(X509_cmp_time(X509_get0_notAfter(x), &t) > 0);
	t = now + 31L * 365 * 86400;
	assert_true(X509_cmp_time(X509_get0_notAfter(x), &t) < 0);
	X509_free(x);
	tb_rpc_cert_free(&c);
}

static void test_rpc_cert_der_b64(void **state)
{
	struct tb_rpc_cert c, c2;
	X509 *x;
	unsigned char *der, *mine = NULL;
	int len, mine_len;

	assert_int_equal(tb_rpc_cert_generate(&c), 0);
	assert_null(strchr(c.der_b64, '='));
	assert_null(strchr(c.der_b64, '\n'));
	assert_int_equal(strspn(c.der_b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                   "0123456789+/"),
	                 strlen(c.der_b64));
	x = parse_cert(c.cert_pem);
	mine_len = i2d_X509(x, &mine);
	der = unbase64(c.der_b64, &len);
	assert_int_equal(len, mine_len);
	assert_memory_equal(der, mine, (size_t)len);
	/* Each start gets a fresh key and serial. */
	assert_int_equal(tb_rpc_cert_generate(&c2), 0);
	assert_string_not_equal(c.key_pem, c2.key_pem);
	assert_string_not_equal(c.der_b64, c2.der_b64);
	free(der);
	OPENSSL_free(mine);
	X509_free(x);
	tb_rpc_cert_free(&c);
	tb_rpc_cert_free(&c2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rpc_cert_key_and_names),
	    cmocka_unit_test(test_rpc_cert_extensions),
	    cmocka_unit_test(test_rpc_cert_der_b64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
