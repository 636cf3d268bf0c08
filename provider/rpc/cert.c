/*
 * AutoMTLS: the server's throw-away identity, generated at start the way
 * go-plugin generates its own (but on P-256, which C core accepts under
 * TLS 1.2 as well as 1.3).
 *
 * The public and private key are encoded here rather than by OpenSSL's
 * encoders (X509_set_pubkey, PEM_write_bio_PrivateKey): setting those up is
 * most of a millisecond of every start, and the layouts are fixed for P-256.
 */
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "tb/rpc.h"
#include "tb/util.h"

#define NOT_BEFORE_SKEW_S 30L
#define VALIDITY_S        (262980L * 3600L) /* go-plugin's 262980 hours */
#define P256_SCALAR_BYTES 32
#define P256_POINT_BYTES  65 /* uncompressed: 0x04, X, Y */

/* SEC 1 ECPrivateKey around the scalar and the point: SEQUENCE { version 1,
 * OCTET STRING scalar, [0] prime256v1, [1] BIT STRING point }. */
static const unsigned char sec1_head[] = {0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20};
static const unsigned char sec1_curve_point[] = {0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86,
                                                 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
                                                 0xa1, 0x44, 0x03, 0x42, 0x00};

/* Extensions of the certificate, in OpenSSL's configuration syntax. */
static const struct {
	int nid;
	const char *value;
} extensions[] = {
    {NID_basic_constraints, "critical,CA:TRUE"},
    {NID_key_usage, "critical,digitalSignature,keyEncipherment,keyAgreement,keyCertSign"},
    {NID_ext_key_usage, "clientAuth,serverAuth"},
    {NID_subject_alt_name, "DNS:localhost"},
    {NID_subject_key_identifier, "hash"},
};

/* Contents of a memory BIO as a NUL-terminated malloc'ed string. */
static char *bio_string(BIO *b)
{
	char *data, *s;
	long n = BIO_get_mem_data(b, &data);

	s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s) {
		memcpy(s, data, (size_t)n);
		s[n] = '\0';
	}
	return s;
}

/* SubjectPublicKeyInfo: id-ecPublicKey on prime256v1 and the point. */
static int set_pubkey(X509 *x, EVP_PKEY *key)
{
	unsigned char *point = NULL;
	size_t n = EVP_PKEY_get1_encoded_public_key(key, &point);

	if (n != P256_POINT_BYTES ||
	    !X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), OBJ_nid2obj(NID_X9_62_id_ecPublicKey),
	                            V_ASN1_OBJECT, OBJ_nid2obj(NID_X9_62_prime256v1), point,
	                            (int)n)) {
		OPENSSL_free(point);
		return TB_EFAILED;
	}
	return 0;
}

/* The key as a PEM "EC PRIVATE KEY" (SEC 1) into b. */
static int write_key(BIO *b, EVP_PKEY *key)
{
	unsigned char der[sizeof(sec1_head) + P256_SCALAR_BYTES + sizeof(sec1_curve_point) +
	                  P256_POINT_BYTES];
	unsigned char *scalar = der + sizeof(sec1_head);
	unsigned char *point = scalar + P256_SCALAR_BYTES + sizeof(sec1_curve_point);
	BIGNUM *d = NULL;
	size_t n = 0;
	int ok;

	memcpy(der, sec1_head, sizeof(sec1_head));
	memcpy(scalar + P256_SCALAR_BYTES, sec1_curve_point, sizeof(sec1_curve_point));
	ok = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d) &&
	     BN_bn2binpad(d, scalar, P256_SCALAR_BYTES) == P256_SCALAR_BYTES &&
	     EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, P256_POINT_BYTES,
	                                     &n) &&
	     n == P256_POINT_BYTES && PEM_write_bio(b, "EC PRIVATE KEY", "", der, sizeof(der)) > 0;
	BN_clear_free(d);
	OPENSSL_cleanse(der, sizeof(der));
	return ok ? 0 : TB_EFAILED;
}

static int set_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int ok = bn && BN_rand(bn, 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
	         BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));

	BN_free(bn);
	return ok ? 0 : TB_EFAILED;
}

static int set_names(X509 *x)
{
	X509_NAME *name = X509_get_subject_name(x);

	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
	                                (const unsigned char *)"terraform-provider-talentbase", -1,
	                                -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	                                (const unsigned char *)"localhost", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		return TB_EFAILED;
	return 0;
}

static int add_extensions(X509 *x)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok = 1;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	for (size_t i = 0; ok && i < TB_COUNT(extensions); i++) {
		ext = X509V3_EXT_conf_nid(NULL, &ctx, extensions[i].nid, extensions[i].value);
		ok = ext && X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	return ok ? 0 : TB_EFAILED;
}

/* A signed, self-issued certificate for key. */
static int build_cert(EVP_PKEY *key, X509 **out)
{
	X509 *x = X509_new();
	int rc = TB_ENOMEM;

	if (!x)
		goto out;
	rc = TB_EFAILED;
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -NOT_BEFORE_SKEW_S) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), VALIDITY_S))
		goto out;
	rc = set_pubkey(x, key);
	if (rc == 0)
		rc = set_serial(x);
	if (rc == 0)
		rc = set_names(x);
	if (rc == 0)
		rc = add_extensions(x);
	if (rc == 0 && !X509_sign(x, key, EVP_sha256()))
		rc = TB_EFAILED;
out:
	if (rc) {
		X509_free(x);
		return rc;
	}
	*out = x;
	return 0;
}

/* PEM of the certificate and key, base64 of the DER. */
static int export_cert(X509 *x, EVP_PKEY *key, struct tb_rpc_cert *out)
{
	BIO *cb = BIO_new(BIO_s_mem()), *kb = BIO_new(BIO_s_mem());
	unsigned char *der = NULL;
	int n, rc = TB_EFAILED;

	if (!cb || !kb || !PEM_write_bio_X509(cb, x) || write_key(kb, key) != 0)
		goto out;
	n = i2d_X509(x, &der);
	if (n <= 0)
		goto out;
	rc = tb_rpc_base64(der, (size_t)n, &out->der_b64);
	out->cert_pem = bio_string(cb);
	out->key_pem = bio_string(kb);
	if (rc == 0 && (!out->cert_pem || !out->key_pem))
		rc = TB_ENOMEM;
out:
	OPENSSL_free(der);
	BIO_free(cb);
	BIO_free(kb);
	return rc;
}

/* Generates the server identity; see rpc.h. */
int tb_rpc_cert_generate(struct tb_rpc_cert *out)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x = NULL;
	int rc = TB_EFAILED;

	memset(out, 0, sizeof(*out));
	if (key)
		rc = build_cert(key, &x);
	if (rc == 0)
		rc = export_cert(x, key, out);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

/* Frees what tb_rpc_cert_generate allocated. */
void tb_rpc_cert_free(struct tb_rpc_cert *c)
{
	free(c->cert_pem);
	free(c->der_b64);
	if (c->key_pem)
		OPENSSL_cleanse(c->key_pem, strlen(c->key_pem));
	free(c->key_pem);
	memset(c, 0, sizeof(*c));
}
