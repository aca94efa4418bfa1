#!/usr/bin/perl
# verify_maildkim - referee: verify every DKIM-Signature of a message with Debian's
# libmail-dkim-perl (Mail::DKIM). DNS is answered by a small in-process resolver object
# from a directory of "<selector>._domainkey.<domain>.txt" files; no network is used.
# Exit 0 when at least one signature was judged and every judged one passes, 1 otherwise.
# Debian 12's Mail::DKIM (1.20230212) predates its Ed25519 support: an ed25519-sha256
# signature it reports as "unsupported algorithm" is listed as not judged (dkimpy judges
# those); any other result of an Ed25519 signature counts.
# Prints "PASS file" or "FAIL file" per message; exit 0 when every message passed.
# usage: verify_maildkim.pl KEYDIR EXPECTED_COUNT MESSAGE...
use strict;
use warnings;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;

package FileResolver;
sub new { my ($c, $dir) = @_; return bless { dir => $dir, err => 'NOERROR' }, $c; }
sub errorstring { return $_[0]{err}; }
sub send {
	my ($self, $name, $type) = @_;
	$name =~ s/\.$//;
	my $pkt = Net::DNS::Packet->new($name, $type, 'IN');
	$pkt->header->qr(1);
	my $f = "$self->{dir}/$name.txt";
	if (uc($type) eq 'TXT' && -e $f) {
		open(my $fh, '<', $f) or die "$f: $!";
		local $/;
		my $v = <$fh>;
		close $fh;
		$v =~ s/\s+$//;
		my @chunks = unpack('(A255)*', $v);
		$pkt->push(answer => Net::DNS::RR->new(name => $name, type => 'TXT', ttl => 60,
						       txtdata => [@chunks]));
		$pkt->header->rcode('NOERROR');
	} else {
		$pkt->header->rcode('NXDOMAIN');
	}
	return $pkt;
}

package main;
my ($dir, $expected, @paths) = @ARGV;
Mail::DKIM::DNS::resolver(FileResolver->new($dir));

sub check {
	my ($path) = @_;
	open(my $fh, '<', $path) or die "$path: $!";
	binmode $fh;
	my $v = Mail::DKIM::Verifier->new();
	while (my $line = <$fh>) {
		# CRLF lines, as SMTP delivers them: a last line without a line end gets one
		# (DATA cannot carry a message without a final CRLF; RFC 6376 §3.4.3 adds it
		# for simple, which this Mail::DKIM does not do on its own)
		$line =~ s/\r?\n?\z/\r\n/;
		$v->PRINT($line);
	}
	close $fh;
	$v->CLOSE();
	my @sigs = $v->signatures;
	my $ok = 1;
	my ($i, $judged) = (0, 0);
	for my $s (@sigs) {
		my $r = $s->result;
		my $detail = $s->result_detail;
		$i++;
		if (lc($s->algorithm) eq 'ed25519-sha256' && $r eq 'invalid' && $detail =~ /unsupported algorithm/) {
			next;    # not judged: this Mail::DKIM has no Ed25519
		}
		$judged++;
		if ($r ne 'pass') {
			printf "  %s: signature %d (a=%s): %s\n", $path, $i - 1, $s->algorithm, $detail;
			$ok = 0;
		}
	}
	if (@sigs != $expected) {
		printf "  %s: %d signatures, expected %d\n", $path, scalar(@sigs), $expected;
		$ok = 0;
	}
	$ok = 0 if $judged == 0;
	return $ok;
}

my $all = 1;
for my $p (@paths) {
	my $ok = check($p);
	print(($ok ? 'PASS ' : 'FAIL ') . "$p\n");
	$all = 0 unless $ok;
}
exit($all ? 0 : 1);
