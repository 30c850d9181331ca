package testcluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// files are the credentials written into the cluster's temp dir.
type files struct {
	certDir      string // --cert-dir
	servingCert  string // --tls-cert-file (signed by caPEM)
	servingKey   string // --tls-private-key-file
	saPub, saKey string // service-account key pair (RSA 2048, PEM)
	tokens       string // --token-auth-file
	caPEM        []byte
	adminToken   string
	limitedToken string
	kubeconfig   string
	etcdDataDir  string
	etcdLog      string
	apiserverLog string
}

// writeFiles generates the serving certificate (our own CA, so clients verify
// TLS, and the same certificate survives an apiserver restart), the
// service-account key pair and the static token file.
func writeFiles(dir string) (*files, error) {
	f := &files{
		certDir:      filepath.Join(dir, "certs"),
		saPub:        filepath.Join(dir, "sa.pub"),
		saKey:        filepath.Join(dir, "sa.key"),
		tokens:       filepath.Join(dir, "tokens.csv"),
		kubeconfig:   filepath.Join(dir, "kubeconfig"),
		etcdDataDir:  filepath.Join(dir, "etcd"),
		etcdLog:      filepath.Join(dir, "etcd.log"),
		apiserverLog: filepath.Join(dir, "kube-apiserver.log"),
	}
	f.servingCert = filepath.Join(f.certDir, "serving.crt")
	f.servingKey = filepath.Join(f.certDir, "serving.key")
	if err := os.MkdirAll(f.certDir, 0o700); err != nil {
		return nil, err
	}

	// Serving certificate.
	caPEM, certPEM, keyPEM, err := servingCert()
	if err != nil {
		return nil, err
	}
	f.caPEM = caPEM
	if err := os.WriteFile(filepath.Join(f.certDir, "ca.crt"), caPEM, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(f.servingCert, certPEM, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(f.servingKey, keyPEM, 0o600); err != nil {
		return nil, err
	}

	// Service-account signing key.
	sa, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(f.saKey, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(sa)}), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(f.saPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o644); err != nil {
		return nil, err
	}

	// Static tokens: token,user,uid,"group1,group2".
	f.adminToken, f.limitedToken = randomToken(), randomToken()
	tokens := fmt.Sprintf("%s,%s,%s,\"system:masters\"\n%s,%s,%s\n",
		f.adminToken, AdminUser, AdminUser, f.limitedToken, LimitedUser, LimitedUser)
	if err := os.WriteFile(f.tokens, []byte(tokens), 0o600); err != nil {
		return nil, err
	}
	return f, nil
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// servingCert returns a CA certificate and a serving certificate for
// 127.0.0.1 and the in-cluster names, signed by it, all PEM encoded.
func servingCert() (caPEM, certPEM, keyPEM []byte, err error) {
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "testcluster-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, nil, nil, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(7 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv4(10, 0, 0, 1)},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		nil
}
