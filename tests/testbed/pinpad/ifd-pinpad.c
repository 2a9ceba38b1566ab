/*
 * ifd-pinpad.c: the test bed's virtual PIN-pad reader. A reader driver
 * (pcsc-lite's IFD handler API v3, <ifdhandler.h>) that pcscd loads from a
 * reader.conf.d entry, as it loads Debian's vpcd and every serial reader's
 * driver. The card side speaks the vpcd protocol, so `eimza-vcard run
 * --port P` is the card in it unchanged; the reader side adds what vpcd
 * lacks, the PC/SC part 10 features of a reader with a keypad:
 *
 *   CM_IOCTL_GET_FEATURE_REQUEST   the features and their control codes
 *   FEATURE_VERIFY_PIN_DIRECT      a PIN_VERIFY_STRUCTURE: the reader asks
 *                                  for the PIN, builds the APDU, sends it
 *   FEATURE_MODIFY_PIN_DIRECT      a PIN_MODIFY_STRUCTURE (not on a reader
 *                                  configured "features=verify")
 *   FEATURE_IFD_PIN_PROPERTIES     display and entry properties
 *   FEATURE_GET_TLV_PROPERTIES     the same and the PIN limits, as TLVs
 *
 * The keys come from the test bed's control socket (keypad.h); the APDU is
 * built as spe.h says. Nothing the user types is logged or kept after the
 * command.
 *
 * DEVICENAME of the reader.conf entry (pcscd passes it to
 * IFDHCreateChannelByName): "/dev/null" (pcscd checks that the part before
 * the first ':' exists, as vpcd's entries show), then fields separated by
 * ':' (pcscd's configuration syntax allows no ';' or ','):
 *   port=P             TCP port on 127.0.0.1 where the card connects (vpcd)
 *   control=PATH       the keypad's control socket
 *   features=verify|modify  what the reader announces: verification only,
 *                      or verification and modification (the default)
 *   timeout=S          the reader's PIN entry timeout (default 30)
 *   min=N, max=N       the PIN digits its keypad takes (default 4 and 16)
 *
 * One reader per loaded copy of the driver: pcscd loads a driver once per
 * LIBPATH, and the test bed gives every PIN-pad reader its own copy, as it
 * does for vpcd (docs/testbed.md).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ifdhandler.h>
#include <reader.h>

#include <eimza/unix-socket.h>

#include "keypad.h"
#include "spe.h"

/* Control codes of the features: this reader's own numbers (a client
 * takes them from the feature list, never from a table of its own). */
#define IOCTL_OF(feature) SCARD_CTL_CODE(0x313000 + (feature))

#define DEFAULT_TIMEOUT 30
#define DEFAULT_MIN 4
#define DEFAULT_MAX 16
#define LCD_LINES 2
#define LCD_CHARS 16
#define FIRMWARE "eimza virtual PIN pad 1.0"
#define VENDOR_ID 0x1D6B /* the Linux Foundation's: no real vendor */
#define PRODUCT_ID 0x0104

static struct {
	bool open;
	DWORD lun;
	unsigned port;
	int listen_fd; /* the card connects here */
	int card_fd;   /* the card's connection, -1 when no card */
	int keypad_fd;
	bool modify;
	unsigned timeout_s, min_pin, max_pin;
	char control[108];
	UCHAR atr[MAX_ATR_SIZE];
	DWORD atr_len;
} rd = {.listen_fd = -1, .card_fd = -1, .keypad_fd = -1};

/* ---- the card, over the vpcd protocol ------------------------------------- */

static int listen_tcp(unsigned port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void card_drop(void)
{
	if (rd.card_fd >= 0)
		close(rd.card_fd);
	rd.card_fd = -1;
	rd.atr_len = 0;
}

/* A card that connected since (an insertion). */
static void card_accept(void)
{
	struct pollfd p = {rd.listen_fd, POLLIN, 0};
	int fd, one = 1;

	if (rd.card_fd >= 0 || rd.listen_fd < 0 || poll(&p, 1, 0) <= 0)
		return;
	fd = accept4(rd.listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	rd.card_fd = fd;
}

/* One framed message to the card: a 2-byte length, then the bytes (sent
 * from the caller's buffer: no copy of a PIN is made here). */
static int card_send(const uint8_t *msg, size_t len)
{
	uint8_t hdr[2] = {(uint8_t)(len >> 8), (uint8_t)len};

	if (rd.card_fd < 0 || len > 0xFFFF)
		return -1;
	if (ez_send_all(rd.card_fd, hdr, 2, MSG_MORE) < 0 || ez_send_all(rd.card_fd, msg, len, 0) < 0) {
		card_drop();
		return -1;
	}
	return 0;
}

/* Its answer. -1 when the card is gone or the answer does not fit. */
static int card_recv(uint8_t *rsp, size_t cap, size_t *len)
{
	uint8_t hdr[2];
	size_t n;

	if (rd.card_fd < 0 || ez_read_all(rd.card_fd, hdr, 2) < 0) {
		card_drop();
		return -1;
	}
	n = (size_t)hdr[0] << 8 | hdr[1];
	if (n > cap || ez_read_all(rd.card_fd, rsp, n) < 0) {
		card_drop();
		return -1;
	}
	*len = n;
	return 0;
}

static int card_exchange(const uint8_t *cmd, size_t len, uint8_t *rsp, size_t cap, size_t *rlen)
{
	if (card_send(cmd, len) < 0)
		return -1;
	return card_recv(rsp, cap, rlen);
}

/* The vpcd controls: 00 power off, 01 on, 02 reset (no answer); 04 the ATR. */
static int card_control(uint8_t code)
{
	return card_send(&code, 1);
}

static int card_read_atr(void)
{
	uint8_t code = 0x04, atr[MAX_ATR_SIZE];
	size_t n = 0;

	if (card_exchange(&code, 1, atr, sizeof(atr), &n) < 0 || n == 0)
		return -1;
	memcpy(rd.atr, atr, n);
	rd.atr_len = (DWORD)n;
	return 0;
}

/* Is the card still there: its connection not closed (a pulled card closes
 * it; the card never speaks first). */
static bool card_present(void)
{
	char b;
	ssize_t k;

	card_accept();
	if (rd.card_fd < 0)
		return false;
	k = recv(rd.card_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		card_drop();
		return false;
	}
	return true;
}

/* ---- configuration ----------------------------------------------------------- */

static bool number(const char *v, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	unsigned long n = strtoul(v, &end, 10);

	if (end == v || *end || n < lo || n > hi)
		return false;
	*out = (unsigned)n;
	return true;
}

static bool configure(const char *name)
{
	char buf[512], *save = NULL, *f;

	if (!name || strlen(name) >= sizeof(buf))
		return false;
	if (strncmp(name, "/dev/null:", 10) != 0)
		return false;
	strcpy(buf, name + 10);
	rd.port = 0;
	rd.control[0] = '\0';
	rd.modify = true;
	rd.timeout_s = DEFAULT_TIMEOUT;
	rd.min_pin = DEFAULT_MIN;
	rd.max_pin = DEFAULT_MAX;
	for (f = strtok_r(buf, ":", &save); f; f = strtok_r(NULL, ":", &save)) {
		char *v = strchr(f, '=');
		if (!v)
			return false;
		*v++ = '\0';
		if (strcmp(f, "port") == 0) {
			if (!number(v, 1, 65535, &rd.port))
				return false;
		} else if (strcmp(f, "control") == 0) {
			if (strlen(v) >= sizeof(rd.control))
				return false;
			strcpy(rd.control, v);
		} else if (strcmp(f, "features") == 0) {
			if (strcmp(v, "verify") == 0)
				rd.modify = false;
			else if (strcmp(v, "modify") != 0)
				return false;
		} else if (strcmp(f, "timeout") == 0) {
			if (!number(v, 1, 255, &rd.timeout_s))
				return false;
		} else if (strcmp(f, "min") == 0) {
			if (!number(v, 1, SPE_MAX_DIGITS, &rd.min_pin))
				return false;
		} else if (strcmp(f, "max") == 0) {
			if (!number(v, 1, SPE_MAX_DIGITS, &rd.max_pin))
				return false;
		} else {
			return false;
		}
	}
	return rd.port && rd.control[0] && rd.min_pin <= rd.max_pin;
}

/* ---- the IFD handler API --------------------------------------------------- */

RESPONSECODE IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
	if (rd.open || !configure(DeviceName)) {
		fprintf(stderr, "eimza PIN pad: cannot use DEVICENAME \"%s\" (see ifd-pinpad.c)\n",
			DeviceName ? DeviceName : "");
		return IFD_COMMUNICATION_ERROR;
	}
	rd.listen_fd = listen_tcp(rd.port);
	rd.keypad_fd = ez_unix_listen(rd.control, 16);
	if (rd.listen_fd < 0 || rd.keypad_fd < 0) {
		fprintf(stderr, "eimza PIN pad: cannot listen on port %u or %s: %s\n", rd.port,
			rd.control, strerror(errno));
		if (rd.listen_fd >= 0)
			close(rd.listen_fd);
		if (rd.keypad_fd >= 0)
			close(rd.keypad_fd);
		rd.listen_fd = rd.keypad_fd = -1;
		return IFD_COMMUNICATION_ERROR;
	}
	rd.lun = Lun;
	rd.open = true;
	return IFD_SUCCESS;
}

RESPONSECODE IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
	(void)Lun;
	(void)Channel;
	fprintf(stderr, "eimza PIN pad: the reader.conf entry needs a DEVICENAME\n");
	return IFD_COMMUNICATION_ERROR;
}

RESPONSECODE IFDHCloseChannel(DWORD Lun)
{
	(void)Lun;
	card_drop();
	if (rd.listen_fd >= 0)
		close(rd.listen_fd);
	if (rd.keypad_fd >= 0) {
		close(rd.keypad_fd);
		unlink(rd.control);
	}
	rd.listen_fd = rd.keypad_fd = -1;
	rd.open = false;
	return IFD_SUCCESS;
}

RESPONSECODE IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
	(void)Lun;
	switch (Tag) {
	case TAG_IFD_ATR:
		if (*Length < rd.atr_len)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		memcpy(Value, rd.atr, rd.atr_len);
		*Length = rd.atr_len;
		return IFD_SUCCESS;
	case TAG_IFD_SLOTS_NUMBER:
	case TAG_IFD_SIMULTANEOUS_ACCESS:
		if (*Length < 1)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		*Value = 1;
		*Length = 1;
		return IFD_SUCCESS;
	default:
		return IFD_ERROR_TAG;
	}
}

RESPONSECODE IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
	(void)Lun;
	(void)Tag;
	(void)Length;
	(void)Value;
	return IFD_NOT_SUPPORTED;
}

RESPONSECODE IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1,
				       UCHAR PTS2, UCHAR PTS3)
{
	(void)Lun;
	(void)Protocol;
	(void)Flags;
	(void)PTS1;
	(void)PTS2;
	(void)PTS3;
	return IFD_SUCCESS;
}

RESPONSECODE IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
	DWORD cap = *AtrLength;

	(void)Lun;
	*AtrLength = 0;
	if (!card_present())
		return IFD_ERROR_POWER_ACTION;
	switch (Action) {
	case IFD_POWER_DOWN:
		return card_control(0x00) < 0 ? IFD_ERROR_POWER_ACTION : IFD_SUCCESS;
	case IFD_POWER_UP:
		if (card_control(0x01) < 0)
			return IFD_ERROR_POWER_ACTION;
		break;
	case IFD_RESET:
		if (card_control(0x02) < 0)
			return IFD_ERROR_POWER_ACTION;
		break;
	default:
		return IFD_NOT_SUPPORTED;
	}
	if (card_read_atr() < 0)
		return IFD_ERROR_POWER_ACTION;
	if (cap == 0)
		cap = MAX_ATR_SIZE; /* pcscd may pass 0 for its own MAX_ATR_SIZE buffer */
	if (cap < rd.atr_len)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	memcpy(Atr, rd.atr, rd.atr_len);
	*AtrLength = rd.atr_len;
	return IFD_SUCCESS;
}

RESPONSECODE IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer,
			       DWORD TxLength, PUCHAR RxBuffer, PDWORD RxLength,
			       PSCARD_IO_HEADER RecvPci)
{
	size_t n = 0;

	(void)Lun;
	(void)SendPci;
	if (!RxLength)
		return IFD_COMMUNICATION_ERROR;
	if (card_exchange(TxBuffer, TxLength, RxBuffer, *RxLength, &n) < 0) {
		*RxLength = 0;
		return IFD_COMMUNICATION_ERROR;
	}
	*RxLength = (DWORD)n;
	if (RecvPci)
		RecvPci->Protocol = 1;
	return IFD_SUCCESS;
}

RESPONSECODE IFDHICCPresence(DWORD Lun)
{
	(void)Lun;
	return card_present() ? IFD_ICC_PRESENT : IFD_ICC_NOT_PRESENT;
}

/* ---- PC/SC part 10 ------------------------------------------------------------ */

static uint8_t *tlv_feature(uint8_t *p, uint8_t feature)
{
	uint32_t code = IOCTL_OF(feature);

	*p++ = feature;
	*p++ = 4;
	*p++ = (uint8_t)(code >> 24); /* big endian (part 10, 2.2) */
	*p++ = (uint8_t)(code >> 16);
	*p++ = (uint8_t)(code >> 8);
	*p++ = (uint8_t)code;
	return p;
}

static uint8_t *tlv_u8(uint8_t *p, uint8_t tag, unsigned v)
{
	*p++ = tag;
	*p++ = 1;
	*p++ = (uint8_t)v;
	return p;
}

static uint8_t *tlv_u16(uint8_t *p, uint8_t tag, unsigned v)
{
	*p++ = tag;
	*p++ = 2;
	*p++ = (uint8_t)v; /* little endian, as USB and CCID */
	*p++ = (uint8_t)(v >> 8);
	return p;
}

static RESPONSECODE answer(const uint8_t *data, size_t len, PUCHAR RxBuffer, DWORD RxLength,
			   LPDWORD returned)
{
	if (len > RxLength)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	memcpy(RxBuffer, data, len);
	*returned = (DWORD)len;
	return IFD_SUCCESS;
}

static RESPONSECODE answer_sw(uint16_t sw, PUCHAR RxBuffer, DWORD RxLength, LPDWORD returned)
{
	uint8_t b[2] = {(uint8_t)(sw >> 8), (uint8_t)sw};

	return answer(b, 2, RxBuffer, RxLength, returned);
}

/* A PIN entry: ask, build, send; the card's answer or the reader's own. */
static RESPONSECODE pin_entry(bool modify, PUCHAR TxBuffer, DWORD TxLength, PUCHAR RxBuffer,
			      DWORD RxLength, LPDWORD returned)
{
	char entries[3][SPE_MAX_DIGITS + 1];
	const char *list[3] = {entries[0], entries[1], entries[2]};
	uint8_t apdu[SPE_MAX_APDU], rsp[258];
	size_t apdu_len = 0, rsp_len = 0;
	struct spe_op op;
	enum kp_result r;
	RESPONSECODE rc;
	uint16_t sw;

	if (RxLength < 2)
		return IFD_ERROR_INSUFFICIENT_BUFFER;
	sw = spe_parse(TxBuffer, TxLength, modify, rd.min_pin, rd.max_pin, &op);
	if (sw != 0)
		return answer_sw(sw, RxBuffer, RxLength, returned);
	if (!card_present())
		return IFD_COMMUNICATION_ERROR;
	memset(entries, 0, sizeof(entries));
	r = keypad_collect(rd.keypad_fd, rd.card_fd, &op, op.timeout ? op.timeout : rd.timeout_s,
			   entries);
	switch (r) {
	case KP_CANCEL:
		rc = answer_sw(SPE_SW_CANCEL, RxBuffer, RxLength, returned);
		break;
	case KP_TIMEOUT:
		rc = answer_sw(SPE_SW_TIMEOUT, RxBuffer, RxLength, returned);
		break;
	case KP_CARD_GONE:
		card_drop();
		rc = IFD_COMMUNICATION_ERROR;
		break;
	case KP_DONE:
	default:
		sw = spe_build(&op, list, spe_entries(&op), apdu, &apdu_len);
		if (sw != 0) {
			rc = answer_sw(sw, RxBuffer, RxLength, returned);
			break;
		}
		if (card_exchange(apdu, apdu_len, rsp, sizeof(rsp), &rsp_len) < 0 || rsp_len < 2) {
			rc = IFD_COMMUNICATION_ERROR;
			break;
		}
		rc = answer(rsp, rsp_len, RxBuffer, RxLength, returned);
		break;
	}
	memset(entries, 0, sizeof(entries));
	memset(apdu, 0, sizeof(apdu));
	memset(&op, 0, sizeof(op));
	return rc;
}

RESPONSECODE IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer, DWORD TxLength,
			 PUCHAR RxBuffer, DWORD RxLength, LPDWORD pdwBytesReturned)
{
	uint8_t buf[128], *p = buf;

	(void)Lun;
	*pdwBytesReturned = 0;
	if (dwControlCode == CM_IOCTL_GET_FEATURE_REQUEST) {
		p = tlv_feature(p, FEATURE_VERIFY_PIN_DIRECT);
		if (rd.modify)
			p = tlv_feature(p, FEATURE_MODIFY_PIN_DIRECT);
		p = tlv_feature(p, FEATURE_IFD_PIN_PROPERTIES);
		p = tlv_feature(p, FEATURE_GET_TLV_PROPERTIES);
		return answer(buf, (size_t)(p - buf), RxBuffer, RxLength, pdwBytesReturned);
	}
	if (dwControlCode == IOCTL_OF(FEATURE_IFD_PIN_PROPERTIES)) {
		/* PIN_PROPERTIES_STRUCTURE: wLcdLayout (lines, characters),
		 * bEntryValidationCondition (max size, OK key), bTimeOut2 (0: one
		 * timeout for the whole entry). */
		uint8_t props[4] = {LCD_CHARS, LCD_LINES, 0x03, 0x00};
		return answer(props, sizeof(props), RxBuffer, RxLength, pdwBytesReturned);
	}
	if (dwControlCode == IOCTL_OF(FEATURE_GET_TLV_PROPERTIES)) {
		p = tlv_u16(p, PCSCv2_PART10_PROPERTY_wLcdLayout, LCD_LINES << 8 | LCD_CHARS);
		p = tlv_u8(p, PCSCv2_PART10_PROPERTY_bEntryValidationCondition, 0x03);
		p = tlv_u8(p, PCSCv2_PART10_PROPERTY_bTimeOut2, 0x00);
		p = tlv_u16(p, PCSCv2_PART10_PROPERTY_wLcdMaxCharacters, LCD_CHARS);
		p = tlv_u16(p, PCSCv2_PART10_PROPERTY_wLcdMaxLines, LCD_LINES);
		p = tlv_u8(p, PCSCv2_PART10_PROPERTY_bMinPINSize, rd.min_pin);
		p = tlv_u8(p, PCSCv2_PART10_PROPERTY_bMaxPINSize, rd.max_pin);
		*p++ = PCSCv2_PART10_PROPERTY_sFirmwareID;
		*p++ = (uint8_t)strlen(FIRMWARE);
		memcpy(p, FIRMWARE, strlen(FIRMWARE));
		p += strlen(FIRMWARE);
		p = tlv_u8(p, PCSCv2_PART10_PROPERTY_bPPDUSupport, 0);
		p = tlv_u16(p, PCSCv2_PART10_PROPERTY_wIdVendor, VENDOR_ID);
		p = tlv_u16(p, PCSCv2_PART10_PROPERTY_wIdProduct, PRODUCT_ID);
		return answer(buf, (size_t)(p - buf), RxBuffer, RxLength, pdwBytesReturned);
	}
	if (dwControlCode == IOCTL_OF(FEATURE_VERIFY_PIN_DIRECT))
		return pin_entry(false, TxBuffer, TxLength, RxBuffer, RxLength, pdwBytesReturned);
	if (dwControlCode == IOCTL_OF(FEATURE_MODIFY_PIN_DIRECT) && rd.modify)
		return pin_entry(true, TxBuffer, TxLength, RxBuffer, RxLength, pdwBytesReturned);
	return IFD_ERROR_NOT_SUPPORTED;
}
