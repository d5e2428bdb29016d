# submission.bash — the materials and the one-form apply submission (sub.json)
# that the issuer interop scripts file. Needs $UNIT and $USCC; writes into
# the current directory.
# shellcheck shell=bash

# sm3 FILE: the file's SM3 digest in hex, as the issuer records materials.
sm3() { openssl dgst -sm3 -r "$1" | cut -d' ' -f1; }

# write_apply_submission: letter.pdf, form.pdf, impression.png, intro.pdf,
# idcopy.png and sub.json, an aggregator's apply for one unit seal of $UNIT.
write_apply_submission() {
    local fx
    fx="$(dirname "${BASH_SOURCE[0]}")/fixtures.py"
    python3 "$fx" pdf letter.pdf "Red-header letter" "Apply for an electronic seal"
    python3 "$fx" pdf form.pdf "Application form" "$USCC"
    python3 "$fx" stamp impression.png
    python3 "$fx" pdf intro.pdf "Introduction letter"
    python3 "$fx" png idcopy.png
    cat >sub.json <<JSON
{"business":"apply","channel":"aggregator","aggregator":"350100",
 "applicant":{"name":"$UNIT","uscc":"$USCC","city":"350100","county":"350102"},
 "letter":{"material":"$(sm3 letter.pdf)","addressee":"福建省经济信息中心","business":"apply",
           "form_count":1,"kinds":{"unit":1}},
 "forms":[{"business":"apply","kind":"unit",
   "unit":{"name":"$UNIT","uscc":"$USCC","city":"350100","county":"350102"},
   "agent":{"name":"李四","mobile":"13800000000","id_number":"350102199001011238"},
   "seal":{"name":"$UNIT","width_mm":42,"height_mm":42,"function":"official","cert_type":"usb_key"},
   "impression":"$(sm3 impression.png)","material":"$(sm3 form.pdf)"}]}
JSON
}
