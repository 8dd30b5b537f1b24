/*
 * minikernel/console.c - COM1 (16550 UART at 0x3f8, 115200 8N1) and a
 * small printf: %d %i %u %x %X %p %s %c %% with l/ll/z, width, '0' and '-'.
 * Polled; the transmit wait is bounded (a missing UART must not hang us).
 */
#include <stdarg.h>
#include "mk.h"

#define COM1			0x3f8
#define UART_THR		0
#define UART_IER		1
#define UART_FCR		2
#define UART_LCR		3
#define UART_MCR		4
#define UART_LSR		5
#define UART_LSR_THRE		0x20
#define UART_TX_SPINS		100000	/* ~ 10 ms of port reads under TCG */

static int con_ready;

void con_init(void)
{
	outb(COM1 + UART_IER, 0x00);
	outb(COM1 + UART_LCR, 0x80);	/* DLAB */
	outb(COM1 + 0, 0x01);		/* divisor 1: 115200 */
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03);	/* 8N1 */
	outb(COM1 + UART_FCR, 0xc7);	/* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS; OUT2 off: no IRQ */
	con_ready = 1;
}

void con_putc(char c)
{
	int spins;

	if (!con_ready)
		return;
	if (c == '\n')
		con_putc('\r');
	for (spins = 0; spins < UART_TX_SPINS; spins++)
		if (inb(COM1 + UART_LSR) & UART_LSR_THRE)
			break;
	outb(COM1 + UART_THR, (uint8_t)c);
}

static void con_puts_pad(const char *s, int width, int left)
{
	int n = (int)strlen(s);

	if (!left)
		for (; n < width; width--)
			con_putc(' ');
	while (*s)
		con_putc(*s++);
	if (left)
		for (; n < width; width--)
			con_putc(' ');
}

static void con_putnum(uint64_t v, int base, int upper, int neg, int width, int zero, int left)
{
	char buf[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int i = 0;

	do {
		buf[i++] = digits[v % (unsigned)base];
		v /= (unsigned)base;
	} while (v);
	if (neg)
		width--;
	if (neg && zero)
		con_putc('-');
	if (!left)
		for (; width > i; width--)
			con_putc(zero ? '0' : ' ');
	if (neg && !zero)
		con_putc('-');
	while (i > 0)
		con_putc(buf[--i]);
	if (left)
		for (; width > 0 && width > i; width--)
			con_putc(' ');
}

void kvprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, zero = 0, left = 0, lng = 0;
		uint64_t u;
		int64_t s;

		if (*fmt != '%') {
			con_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '-') {
			left = 1;
			fmt++;
		}
		if (*fmt == '0') {
			zero = 1;
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			con_putnum(s < 0 ? -(uint64_t)s : (uint64_t)s, 10, 0, s < 0, width, zero, left);
			break;
		case 'u':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			con_putnum(u, 10, 0, 0, width, zero, left);
			break;
		case 'x':
		case 'X':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			con_putnum(u, 16, *fmt == 'X', 0, width, zero, left);
			break;
		case 'p':
			con_puts_pad("0x", 0, 0);
			con_putnum((uint64_t)(uintptr_t)va_arg(ap, void *), 16, 0, 0, width, zero, left);
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			con_puts_pad(str ? str : "(null)", width, left);
			break;
		}
		case 'c':
			con_putc((char)va_arg(ap, int));
			break;
		case '%':
			con_putc('%');
			break;
		case '\0':
			return;
		default:
			con_putc('%');
			con_putc(*fmt);
			break;
		}
	}
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
