#!/usr/bin/perl
# referee_maildkim - an independent judge of DKIM signatures: Debian's libmail-dkim-perl
# (Mail::DKIM) verifies every DKIM-Signature of each message, fetching keys from the test
# DNS server with Net::DNS (127.0.0.1:PORT).
# Debian 12's Mail::DKIM (1.20230212) has no Ed25519: an ed25519-sha256 signature it
# reports as "unsupported algorithm" is not judged (dkimpy judges those); at least one
# signature must be judged, and every judged one must pass.
# usage: referee_maildkim.pl HOST:PORT EXPECTED_SIGNATURES MESSAGE...
# Prints "PASS file" or "FAIL file: reason" per message; exit 0 when all pass.
use strict;
use warnings;
use Mail::DKIM::Verifier;
use Mail::DKIM::DNS;
use Net::DNS;

my ($server, $expected, @paths) = @ARGV;
my ($host, $port) = $server =~ /^(.*):(\d+)$/ or die "HOST:PORT expected\n";
Mail::DKIM::DNS::resolver(Net::DNS::Resolver->new(nameservers => [$host], port => $port,
	recurse => 1, retry => 2, udp_timeout => 5, tcp_timeout => 5));

sub check {
	my ($path) = @_;
	open(my $fh, '<', $path) or return "$path: $!";
	binmode $fh;
	my $v = Mail::DKIM::Verifier->new();
	while (my $line = <$fh>) {
		$line =~ s/\r?\n?\z/\r\n/;    # CRLF, as SMTP carried it
		$v->PRINT($line);
	}
	close $fh;
	$v->CLOSE();
	my @sigs = $v->signatures;
	return scalar(@sigs) . " signatures, expected $expected" if @sigs != $expected;
	my ($i, $judged) = (0, 0);
	for my $s (@sigs) {
		my ($r, $detail) = ($s->result, $s->result_detail);
		$i++;
		next if lc($s->algorithm) eq 'ed25519-sha256' && $r eq 'invalid' && $detail =~ /unsupported algorithm/;
		$judged++;
		return "signature " . ($i - 1) . " (a=" . $s->algorithm . "): $detail" if $r ne 'pass';
	}
	return "no signature could be judged" if $judged == 0;
	return undef;
}

my $bad = 0;
for my $p (@paths) {
	my $why = check($p);
	print defined($why) ? "FAIL $p: $why\n" : "PASS $p\n";
	$bad++ if defined $why;
}
exit(($bad || !@paths) ? 1 : 0);
