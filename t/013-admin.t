# The admin pages (/_a2f/admin): who gets in (admin role, two-factor
# session, step-up after a2f_admin_max_age), every action, the CSRF
# refusal, HTML escaping of a hostile user name, a user's group, the audit
# trail.
use lib 't';
use Test::Nginx::Socket 'no_plan';
use A2F;

A2F::setup();
our $ROOT = A2F::add_user('root', 'pw', admin => 1);
A2F::add_user('bob', 'pw');
A2F::add_user('dave', 'pw');
A2F::add_user('keyholder', 'pw');
our $EVIL = q{<script>alert("x")&'};
A2F::add_user($EVIL, 'pw');
A2F::ctl('key', 'add', 'keyholder', 'yubi', '--cred-id', 'Y3JlZC0x',
         '--public-key', 'cHVibGljLWtleS1ieXRlcw');

A2F::ctl('unlock', 'bob') for 1 .. 50;      # events for the audit pager

our $SID = 'R' x 16;
our $DAVE_GEN = A2F::gen('dave');

sub admin {
    my %o = @_;
    return "Cookie: a2f_session="
           . A2F::cookie(user => 'root', sid => $SID, %o);
}

sub as {
    my ($user, %o) = @_;
    return "Cookie: a2f_session="
           . A2F::cookie(user => $user, sid => $SID, %o);
}

our $FORM = "Content-Type: application/x-www-form-urlencoded\n";

sub post {
    my ($form, %o) = @_;
    my $csrf = exists $o{csrf} ? $o{csrf} : A2F::csrf($SID);
    return "POST /_a2f/admin\n" . $form
           . (defined $csrf ? "&csrf=$csrf" : '');
}

sub user_line {
    my $name = shift;
    for (split /\n/, A2F::ctl('user', 'list')) {
        return $_ if /^\Q$name\E /;
    }
    return '';
}

sub group {
    my $g = A2F::ctl('user', 'group', shift);
    chomp $g;
    return $g;
}

sub devices { join ',', map { (split ' ')[0] // () }
                        grep { /\S/ } split /\n/, A2F::ctl('totp', 'list', shift) }

# --- after: perl code that must be true once the response is in
add_response_body_check(sub {
    my ($block, $body) = @_;
    my $code = $block->after or return;
    my $ok = eval $code;
    die "after: $@" if $@;
    ok($ok, $block->name . " - after: $code");
});

repeat_each(1);
no_shuffle();
no_root_location();
A2F::defaults();

run_tests();

__DATA__

=== TEST 1: without a session: the login page, and back here afterwards
--- request
GET /_a2f/admin/user?name=bob
--- more_headers
Accept: text/html
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/login\?rd=%2F_a2f%2Fadmin%2Fuser%3Fname%3Dbob$
--- no_error_log
[error]



=== TEST 2: a user without the admin role: 403
--- request
GET /_a2f/admin
--- more_headers eval
main::as('bob')
--- error_code: 403
--- response_body_like: Administrators only
--- error_log
admin page refused to user "bob": not an administrator
--- no_error_log
[error]



=== TEST 3: an administrator with the password only: the code page
--- request
GET /_a2f/admin
--- more_headers eval
main::admin(level => 1)
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/otc\?rd=%2F_a2f%2Fadmin$
--- no_error_log
[error]



=== TEST 4: step-up: a second factor older than a2f_admin_max_age (15m)
--- request
GET /_a2f/admin
--- more_headers eval
main::admin(factor => time - 15 * 60 - 5)
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/otc\?rd=%2F_a2f%2Fadmin&step=1$
--- error_log
second factor older than 900 s, asking for a fresh code
--- no_error_log
[error]



=== TEST 5: ... a second factor of 14 minutes ago is fine
--- request
GET /_a2f/admin
--- more_headers eval
main::admin(factor => time - 14 * 60)
--- error_code: 200
--- no_error_log
[error]



=== TEST 6: the code page asks a two-factor session for a fresh code
--- request
GET /_a2f/otc?rd=%2F_a2f%2Fadmin&step=1
--- more_headers eval
main::admin(factor => time - 3600)
--- error_code: 200
--- response_body_like: This page needs a fresh code\.
--- no_error_log
[error]



=== TEST 7: a fresh code renews the second factor's time and goes back
--- request eval
"POST /_a2f/otc\nrd=%2F_a2f%2Fadmin&code=" . A2F::totp_tag($main::ROOT)
    . "&csrf=" . A2F::csrf($main::SID)
--- more_headers eval
$main::FORM . main::admin(factor => time - 3600)
--- error_code: 303
--- response_headers_like
Location: (http://[^/]+)?/_a2f/admin$
Set-Cookie: a2f_session=2\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.2\.\d+\.\d+\.\d+\.\d+\..*
--- no_error_log
[error]



=== TEST 8: a2f_admin_max_age is configurable
--- config
    a2f_admin_max_age 30s;
    location /_a2f/ {
        a2f_portal;
    }
--- request
GET /_a2f/admin
--- more_headers eval
main::admin(factor => time - 40)
--- error_code: 302
--- response_headers_like
Location: (http://[^/]+)?/_a2f/otc\?rd=%2F_a2f%2Fadmin&step=1$
--- no_error_log
[error]



=== TEST 9: a2f_admin off: no admin pages
--- config
    a2f_admin off;
    location /_a2f/ {
        a2f_portal;
    }
--- request
GET /_a2f/admin
--- more_headers eval
main::admin()
--- error_code: 404
--- error_log
a2f_admin is off
--- no_error_log
[error]



=== TEST 10: the user list: names, roles, factors, state; the headers
--- request
GET /_a2f/admin
--- more_headers eval
main::admin()
--- error_code: 200
--- response_headers
Cache-Control: no-store
X-Frame-Options: DENY
--- response_headers_like
Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self';.*
--- response_body_like eval
qr{5 users\..*<a href="/_a2f/admin/user\?name=bob">bob</a></td><td>user</td><td>1 app, 0 keys</td><td>active</td><td class="time">never</td>.*<a href="/_a2f/admin/user\?name=keyholder">keyholder</a></td><td>user</td><td>1 app, 1 key</td>.*<a href="/_a2f/admin/user\?name=root">root</a></td><td><span class="tag">admin</span></td>}s
--- no_error_log
[error]



=== TEST 11: a hostile user name is escaped in the list
--- request
GET /_a2f/admin
--- more_headers eval
main::admin()
--- error_code: 200
--- response_body_like eval
qr{<a href="/_a2f/admin/user\?name=%3Cscript%3Ealert%28%22x%22%29%26%27">&lt;script&gt;alert\(&quot;x&quot;\)&amp;&#39;</a>}
--- response_body_unlike: <script>
--- no_error_log
[error]



=== TEST 12: ... and on the user's page
--- request
GET /_a2f/admin/user?name=%3Cscript%3Ealert%28%22x%22%29%26%27
--- more_headers eval
main::admin()
--- error_code: 200
--- response_body_like eval
qr{<h1 class="name">&lt;script&gt;alert\(&quot;x&quot;\)&amp;&#39;</h1>.*name="user" value="&lt;script&gt;alert\(&quot;x&quot;\)&amp;&#39;"}s
--- response_body_unlike: <script>
--- no_error_log
[error]



=== TEST 13: search
--- request
GET /_a2f/admin?q=BO
--- more_headers eval
main::admin()
--- error_code: 200
--- response_body_like eval
qr{1 of 5 users match\..*name=bob">bob</a>}s
--- response_body_unlike: name=root
--- no_error_log
[error]



=== TEST 14: an unknown user's page is a 404
--- request
GET /_a2f/admin/user?name=nobody
--- more_headers eval
main::admin()
--- error_code: 404
--- response_body_like: There is no such user\.
--- no_error_log
[error]



=== TEST 15: CSRF: a form without the token changes nothing
--- request eval
main::post("action=disable&user=dave", csrf => undef)
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 403
--- response_body_like: The form had expired
--- after
main::user_line('dave') =~ /disabled=no/
--- error_log
form without a valid CSRF token refused
--- no_error_log
[error]



=== TEST 16: CSRF: a token of another session changes nothing
--- request eval
main::post("action=disable&user=dave", csrf => A2F::csrf('S' x 16))
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 403
--- after
main::user_line('dave') =~ /disabled=no/
--- no_error_log
[error]



=== TEST 17: a non-admin's form (with a valid token) is refused
--- request eval
main::post("action=admin&user=bob")
--- more_headers eval
$main::FORM . main::as('bob')
--- error_code: 403
--- after
main::user_line('bob') =~ /admin=no/
--- no_error_log
[error]



=== TEST 18: a form from a stale session asks for a fresh code first
--- request eval
main::post("action=disable&user=dave")
--- more_headers eval
$main::FORM . main::admin(factor => time - 3600)
--- error_code: 303
--- response_headers_like
Location: (http://[^/]+)?/_a2f/otc\?rd=%2F_a2f%2Fadmin&step=1$
--- after
main::user_line('dave') =~ /disabled=no/
--- no_error_log
[error]



=== TEST 19: create a user with a typed password
--- request eval
main::post("action=create&user=erin&password=correct-horse")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{<h1 class="name">erin</h1>\s*<p class="notice" role="status">User &quot;erin&quot; created\.</p>}s
--- response_body_unlike: class="shown"
--- after
main::user_line('erin') =~ /admin=no disabled=no devices=0/
--- error_log
a2f: audit: admin_create user=erin addr=127.0.0.1 by=root
--- no_error_log
[error]



=== TEST 20: create an administrator with a generated password and a link
--- request eval
main::post("action=create&user=frank&password=&admin=1&link=1")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{The new password</strong>, shown only now.*<code>[0-9a-z]{5}-[0-9a-z]{5}-[0-9a-z]{5}-[0-9a-z]{5}</code>.*The enrollment link</strong>.*<code>http://[^<]+/_a2f/enroll/[A-Za-z0-9_-]{32}</code>.*<dt>Role</dt><dd>administrator</dd>}s
--- after
main::user_line('frank') =~ /admin=yes/
--- no_error_log
[error]



=== TEST 21: a name that exists: 409, nothing changed
--- request eval
main::post("action=create&user=bob&password=another-one")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 409
--- response_body_like: A user of that name exists already
--- no_error_log
[error]



=== TEST 22: an invalid name or a short password: 400
--- request eval
[ main::post("action=create&user=a%2Fb&password=long-enough"),
  main::post("action=create&user=gina&password=short") ]
--- more_headers eval
$main::FORM . main::admin()
--- error_code eval
[400, 400]
--- response_body_like eval
[qr/A user name is 1 to 64 characters/, qr/A password is 8 to 256 characters/]
--- after
main::user_line('gina') eq ''
--- no_error_log
[error]



=== TEST 23: disable, which ends the user's sessions
--- request eval
main::post("action=disable&user=dave")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{User &quot;dave&quot; disabled and signed out\..*<dd><span class="tag bad">disabled</span></dd>.*value="enable"}s
--- after
main::user_line('dave') =~ /disabled=yes/
--- error_log
a2f: audit: admin_disable user=dave addr=127.0.0.1 by=root
--- no_error_log
[error]



=== TEST 24: a disabled user's session no longer passes
--- request
GET /
--- more_headers eval
main::as('dave', gen => $main::DAVE_GEN)
--- error_code: 401
--- no_error_log
[error]



=== TEST 25: enable
--- request eval
main::post("action=enable&user=dave")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like: User &quot;dave&quot; enabled\.
--- after
main::user_line('dave') =~ /disabled=no/
--- no_error_log
[error]



=== TEST 26: make an administrator
--- request eval
main::post("action=admin&user=dave")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like: is now an administrator\.
--- after
main::user_line('dave') =~ /admin=yes/
--- error_log
admin_grant user=dave addr=127.0.0.1 by=root
--- no_error_log
[error]



=== TEST 26b: ... and unmake one
--- request eval
main::post("action=unadmin&user=dave")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like: is no longer an administrator\.
--- after
main::user_line('dave') =~ /admin=no/
--- error_log
admin_revoke_role user=dave addr=127.0.0.1 by=root
--- no_error_log
[error]



=== TEST 27: an administrator cannot lock themselves out
--- request eval
[ main::post("action=delete&user=root&confirm=1"),
  main::post("action=disable&user=root"),
  main::post("action=unadmin&user=root") ]
--- more_headers eval
$main::FORM . main::admin()
--- error_code eval
[409, 409, 409]
--- response_body_like eval
[(qr/You cannot delete, disable or remove/) x 3]
--- after
main::user_line('root') =~ /admin=yes disabled=no/
--- no_error_log
[error]



=== TEST 28: reset a password (typed): the user's sessions end
--- request eval
main::post("action=password&user=dave&password=new-password-1")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like: The password of &quot;dave&quot; was reset
--- response_body_unlike: class="shown"
--- after
A2F::gen('dave') != $main::DAVE_GEN
--- no_error_log
[error]



=== TEST 29: reset a password (generated): shown once
--- request eval
main::post("action=password&user=dave&password=")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{The new password</strong>.*<code>[0-9a-z]{5}(-[0-9a-z]{5}){3}</code>}s
--- no_error_log
[error]



=== TEST 29b: five wrong passwords lock dave's sign-in
--- request eval
[ ("POST /_a2f/login\nusername=dave&password=wrong&csrf=" . A2F::csrf('L' x 22)) x 5 ]
--- more_headers eval
"Content-Type: application/x-www-form-urlencoded\nCookie: a2f_csrf=" . ('L' x 22)
--- error_code eval
[ (200) x 5 ]
--- no_error_log
[error]



=== TEST 29c: the list and the user's page say so
--- request eval
[ "GET /_a2f/admin?q=dave", "GET /_a2f/admin/user?name=dave" ]
--- more_headers eval
main::admin()
--- error_code eval
[200, 200]
--- response_body_like eval
[ qr{name=dave">dave</a></td><td>user</td><td>1 app, 0 keys</td><td><span class="tag bad">locked</span></td>},
  qr{<dt>Sign-in</dt><dd><span class="tag bad">locked</span> until \d{4}-} ]
--- no_error_log
[error]



=== TEST 30: unlock
--- request eval
main::post("action=unlock&user=dave")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{Sign-in of &quot;dave&quot; unlocked\..*<dt>Sign-in</dt><dd>not locked</dd>}s
--- error_log
admin_unlock user=dave addr=127.0.0.1 by=root
--- no_error_log
[error]



=== TEST 30b: sign out everywhere: the generation moves on
--- request eval
main::post("action=revoke&user=dave")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like: is signed out everywhere\.
--- after
my $g = A2F::gen('dave'); $g != $main::DAVE_GEN && $g != ($main::GEN_BEFORE // -1)
--- error_log
admin_signout user=dave addr=127.0.0.1 by=root
--- no_error_log
[error]



=== TEST 31: add an authenticator app: its QR code and URI, shown once
--- request eval
main::post("action=totp_add&user=dave&device=phone+2")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{Scan this code</strong>.*<div class="qr"><svg .*</svg></div><p class="secret">([A-Z2-7]{4} ){7}[A-Z2-7]{4}</p><p class="small"><code>otpauth://totp/localhost:dave\?secret=[A-Z2-7]{32}&amp;issuer=localhost&amp;algorithm=SHA1&amp;digits=6&amp;period=30</code>.*<td>phone 2</td>}s
--- after
main::devices('dave') eq 'default,phone 2' || main::devices('dave')
--- error_log
admin_totp_add user=dave addr=127.0.0.1 by=root device=phone 2
--- no_error_log
[error]



=== TEST 32: an app name taken: 409
--- request eval
main::post("action=totp_add&user=dave&device=phone+2")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 409
--- no_error_log
[error]



=== TEST 33: remove an app
--- request eval
main::post("action=totp_del&user=dave&device=phone+2")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_unlike: phone 2
--- after
main::devices('dave') eq 'default'
--- no_error_log
[error]



=== TEST 34: security keys are listed with a remove button
--- request
GET /_a2f/admin/user?name=keyholder
--- more_headers eval
main::admin()
--- error_code: 200
--- response_body_like eval
qr{<h2>Security keys</h2>.*<td>yubi</td>.*name="action" value="key_del"><input type="hidden" name="key" value="yubi">}s
--- no_error_log
[error]



=== TEST 34b: ... and removed
--- request eval
main::post("action=key_del&user=keyholder&key=yubi")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{A security key of &quot;keyholder&quot; was removed\..*<h2>Security keys</h2>\s*<p>None\.}s
--- after
A2F::ctl('key', 'list', 'keyholder') !~ /yubi/
--- error_log
admin_key_del user=keyholder addr=127.0.0.1 by=root key=yubi
--- no_error_log
[error]



=== TEST 35: new recovery codes, shown once
--- request eval
main::post("action=recovery&user=dave")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{The new recovery codes</strong>.*<ol>(<li>[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}</li>){10}</ol>.*<p>10 unused\.</p>}s
--- no_error_log
[error]



=== TEST 36: an enrollment link for an existing user
--- request eval
main::post("action=link&user=dave&ttl=3600")
--- more_headers eval
$main::FORM . main::admin() . "\nHost: a2f.example:8443"
--- error_code: 200
--- response_body_like eval
qr{The enrollment link</strong>.*<code>http://a2f\.example:8443/_a2f/enroll/[A-Za-z0-9_-]{32}</code>.*An unused link is valid until}s
--- error_log
admin_link user=dave
--- no_error_log
[error]



=== TEST 36b: a user's page shows the group (none) and its form
--- request
GET /_a2f/admin/user?name=bob
--- more_headers eval
main::admin()
--- error_code: 200
--- response_body_like eval
qr{<dt>Group</dt><dd>default \(none set\)</dd>.*<h2>Group</h2>\s*<form method="post" action="/_a2f/admin" autocomplete="off">\s*<input type="hidden" name="csrf" value="[^"]+">\s*<input type="hidden" name="user" value="bob">\s*<input type="hidden" name="action" value="group">.*<input id="group" name="group" type="text" maxlength="64"\s+value=""[^>]*>\s*<button type="submit" class="secondary">Set group</button>}s
--- no_error_log
[error]



=== TEST 36c: set a group
--- request eval
main::post("action=group&user=bob&group=staff")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{<p class="notice" role="status">Group of &quot;bob&quot; set to &quot;staff&quot;\.</p>.*<dt>Group</dt><dd>staff</dd>.*name="group" type="text" maxlength="64"\s+value="staff"}s
--- after
main::group('bob') eq 'staff'
--- error_log
a2f: audit: group_set user=bob addr=127.0.0.1 group=staff by=root
--- no_error_log
[error]



=== TEST 36d: ... it is on the user's page
--- request
GET /_a2f/admin/user?name=bob
--- more_headers eval
main::admin()
--- error_code: 200
--- response_body_like eval
qr{<dt>Group</dt><dd>staff</dd>}
--- no_error_log
[error]



=== TEST 36e: invalid group names: 400, nothing stored
--- request eval
[ main::post("action=group&user=bob&group=two+words"),
  main::post("action=group&user=bob&group=a%22b"),
  main::post("action=group&user=bob&group=a%5Cb"),
  main::post("action=group&user=bob&group=tab%09"),
  main::post("action=group&user=bob&group=caf%C3%A9"),
  main::post("action=group&user=bob&group=" . ('g' x 65)),
  main::post("action=group&user=bob") ]
--- more_headers eval
$main::FORM . main::admin()
--- error_code eval
[ (400) x 7 ]
--- response_body_like eval
[ (qr{<p class="error" role="alert">A group name is 1 to 64 characters of printable ASCII without spaces, &quot; or \\\. Leave the field empty to clear the group\. Nothing was changed\.</p>.*<dt>Group</dt><dd>staff</dd>}s) x 7 ]
--- after
main::group('bob') eq 'staff'
--- error_log
admin "root": group of user "bob" refused: missing or invalid group name
--- no_error_log
[error]
group_set user=bob addr=127.0.0.1 group=two



=== TEST 36f: 64 characters and HTML characters are a group; escaped
--- request eval
[ main::post("action=group&user=bob&group=" . ('g' x 64)),
  main::post("action=group&user=bob&group=%3Ci%3E%26%27x") ]
--- more_headers eval
$main::FORM . main::admin()
--- error_code eval
[200, 200]
--- response_body_like eval
[ qr{<dt>Group</dt><dd>g{64}</dd>},
  qr{Group of &quot;bob&quot; set to &quot;&lt;i&gt;&amp;&#39;x&quot;\..*<dt>Group</dt><dd>&lt;i&gt;&amp;&#39;x</dd>.*value="&lt;i&gt;&amp;&#39;x"}s ]
--- response_body_unlike eval
[ (qr{<i>}) x 2 ]
--- after
main::group('bob') =~ /^(?:g{64}|<i>&'x)$/
--- no_error_log
[error]



=== TEST 36g: CSRF: a group form without the token changes nothing
--- request eval
main::post("action=group&user=bob&group=evil", csrf => undef)
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 403
--- response_body_like: The form had expired
--- after
main::group('bob') eq q{<i>&'x}
--- error_log
form without a valid CSRF token refused
--- no_error_log
[error]



=== TEST 36h: an empty group field clears the group
--- request eval
main::post("action=group&user=bob&group=")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{<p class="notice" role="status">Group of &quot;bob&quot; cleared\.</p>.*<dt>Group</dt><dd>default \(none set\)</dd>.*name="group" type="text" maxlength="64"\s+value=""}s
--- after
main::group('bob') eq '(none)'
--- error_log
a2f: audit: group_clear user=bob addr=127.0.0.1 by=root
--- no_error_log
[error]



=== TEST 36i: the group of a user that does not exist: 404
--- request eval
main::post("action=group&user=nobody&group=staff")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 404
--- response_body_like: There is no such user\.
--- error_log
group_set of user "nobody" failed
--- no_error_log
[error]



=== TEST 37: delete needs the confirmation box
--- request eval
main::post("action=delete&user=dave")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 400
--- response_body_like: Tick the box to confirm
--- after
main::user_line('dave') ne ''
--- no_error_log
[error]



=== TEST 38: delete
--- request eval
main::post("action=delete&user=dave&confirm=1")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 200
--- response_body_like eval
qr{<h1>Users</h1>\s*<p class="notice" role="status">User &quot;dave&quot; deleted\.</p>}s
--- response_body_unlike: name=dave"
--- after
main::user_line('dave') eq ''
--- error_log
admin_delete user=dave addr=127.0.0.1 by=root
--- no_error_log
[error]



=== TEST 39: an action on a user that is gone: 404
--- request eval
main::post("action=revoke&user=dave")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 404
--- response_body_like: There is no such user\.
--- no_error_log
[error]



=== TEST 40: an unknown action: 400
--- request eval
main::post("action=format-disk&user=bob")
--- more_headers eval
$main::FORM . main::admin()
--- error_code: 400
--- error_log
without a known action
--- no_error_log
[error]



=== TEST 41: the audit trail: admin actions with time, user and address
--- request
GET /_a2f/admin/audit
--- more_headers eval
main::admin()
--- error_code: 200
--- response_body_like eval
qr{<tr><td class="time">\d{4}-\d\d-\d\d \d\d:\d\d UTC</td><td>admin_delete</td><td>dave</td><td>127\.0\.0\.1</td><td>by=root</td></tr>.*<td>admin_create</td><td>erin</td>}s
--- no_error_log
[error]



=== TEST 41b: ... and the group changes
--- request
GET /_a2f/admin/audit
--- more_headers eval
main::admin()
--- error_code: 200
--- response_body_like eval
qr{<td>group_clear</td><td>bob</td><td>127\.0\.0\.1</td><td>by=root</td></tr>.*<td>group_set</td><td>bob</td><td>127\.0\.0\.1</td><td>group=&lt;i&gt;&amp;&#39;x by=root</td></tr>.*<td>group_set</td><td>bob</td><td>127\.0\.0\.1</td><td>group=staff by=root</td></tr>}s
--- no_error_log
[error]



=== TEST 42: the audit trail is paged
--- request eval
["GET /_a2f/admin/audit", "GET /_a2f/admin/audit?before=1"]
--- more_headers eval
main::admin()
--- error_code eval
[200, 200]
--- response_body_like eval
[qr{(<tr><td class="time">.*?</tr>\n){50}.*<a href="/_a2f/admin/audit\?before=\d+">Older</a>}s,
 qr{No events before these\..*<a href="/_a2f/admin/audit">Newest</a>}s]
--- no_error_log
[error]
