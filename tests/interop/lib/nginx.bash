# nginx.bash — a real nginx in front of the daemons, for the interop scripts
# that need one (deploy_nginx.sh, https_nginx.sh). Source it before
# platform.bash: a machine without nginx skips the test (exit 77) before the
# platform is set up. Then:
#   nginx_tls            tls.key and tls.pem, a 2-day certificate for localhost
#   free_port            prints a loopback port nothing listens on now
#   start_nginx CONNS    nginx/nginx.conf from the http {} lines on stdin: in
#                        the foreground, its prefix in $tmp/nginx, no access
#                        log; checked with nginx -t (a machine where nginx
#                        cannot run skips the test; a configuration nginx
#                        refuses fails it), then started: sets $nginx.
# shellcheck shell=bash
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$nginx_bin" ]; then
    echo "SKIP: nginx is not installed (tools/bootstrap installs it) / 未安装 nginx, 跳过" >&2
    exit 77
fi

nginx_tls() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout tls.key -out tls.pem 2>/dev/null || fail "openssl req: the test certificate"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_nginx() {
    mkdir -p "$tmp/nginx/logs" "$tmp/nginx/tmp"
    {
        cat <<CONF
daemon off;
master_process off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections $1; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/tmp/body;
    proxy_temp_path $tmp/nginx/tmp/proxy;
    fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
    uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
    scgi_temp_path $tmp/nginx/tmp/scgi;
CONF
        cat
        echo "}"
    } >"$tmp/nginx/nginx.conf"
    if ! "$nginx_bin" -t -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx/test.out" 2>&1; then
        cat "$tmp/nginx/test.out" >&2
        grep -q 'emerg' "$tmp/nginx/test.out" && ! grep -q 'Permission denied\|Address family' "$tmp/nginx/test.out" &&
            fail "nginx refuses the configuration"
        echo "SKIP: nginx cannot run here (see above) / nginx 无法运行, 跳过" >&2
        exit 77
    fi
    "$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx/out.log" 2>&1 &
    nginx=$!
}
