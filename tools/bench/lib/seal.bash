# seal.bash — the benchmarks' one seal: a CA, a software token holding a unit
# certificate and a v4 seal for it, made in the current directory with
# "$eseal" (ESEAL_PASSPHRASE and ESEAL_PIN must be set).
# shellcheck shell=bash

# bench_make_seal: ca/, tok/ (with unit.pem and seal.esl imported), seal.esl.
bench_make_seal() {
    "$eseal" ca init --dir ca >/dev/null
    "$eseal" token init --dir tok >/dev/null
    "$eseal" token csr --dir tok --subject "/C=CN/O=福州市测试局/serialNumber=91350100M000100Y43" \
        --out unit.csr >/dev/null
    "$eseal" ca issue --dir ca --csr unit.csr --profile unit --out unit.pem >/dev/null
    printf '\x89PNG\r\n\x1a\nbenchmark impression' >seal.png
    "$eseal" seal make --ca ca --cert unit.pem --esid 35010000000001 --name 福州市测试局 --type unit \
        --picture seal.png --width 40 --height 40 --out seal.esl >/dev/null
    "$eseal" token import --dir tok --cert unit.pem --seal seal.esl >/dev/null
}
