#include "fjord_re2.h"
#include <re2/re2.h>
#include <string>
#include <vector>
#include <cstring>

struct fjord_re2 {
    re2::RE2 *re;
    std::vector<std::string> names; // index = group number; "" for unnamed
};

extern "C" fjord_re2 *fjord_re2_new(const char *pattern, size_t len, int flags, char *err, size_t err_cap) {
    re2::RE2::Options opts;
    opts.set_log_errors(false);
    opts.set_encoding(re2::RE2::Options::EncodingUTF8);
    opts.set_case_sensitive(!(flags & FJORD_RE2_CASE_INSENSITIVE));
    opts.set_dot_nl(flags & FJORD_RE2_DOT_NL);
    opts.set_literal(flags & FJORD_RE2_LITERAL);
    opts.set_longest_match(flags & FJORD_RE2_LONGEST_MATCH);
    opts.set_max_mem(64 << 20);
    re2::RE2 *re = new re2::RE2(re2::StringPiece(pattern, len), opts);
    if (!re->ok()) {
        if (err && err_cap > 0) {
            std::string msg = re->error();
            size_t n = msg.size() < err_cap - 1 ? msg.size() : err_cap - 1;
            memcpy(err, msg.data(), n);
            err[n] = 0;
        }
        delete re;
        return nullptr;
    }
    fjord_re2 *out = new fjord_re2;
    out->re = re;
    out->names.assign(re->NumberOfCapturingGroups() + 1, std::string());
    for (const auto &kv : re->CapturingGroupNames()) {
        if (kv.first >= 0 && (size_t)kv.first < out->names.size()) out->names[kv.first] = kv.second;
    }
    return out;
}

extern "C" void fjord_re2_free(fjord_re2 *re) {
    if (!re) return;
    delete re->re;
    delete re;
}

extern "C" int fjord_re2_num_groups(const fjord_re2 *re) { return re->re->NumberOfCapturingGroups(); }

extern "C" const char *fjord_re2_group_name(const fjord_re2 *re, int group) {
    if (group <= 0 || (size_t)group >= re->names.size() || re->names[group].empty()) return nullptr;
    return re->names[group].c_str();
}

extern "C" int fjord_re2_partial_match(const fjord_re2 *re, const char *text, size_t len) {
    return re->re->Match(re2::StringPiece(text, len), 0, len, re2::RE2::UNANCHORED, nullptr, 0) ? 1 : 0;
}

extern "C" int fjord_re2_full_match(const fjord_re2 *re, const char *text, size_t len) {
    return re->re->Match(re2::StringPiece(text, len), 0, len, re2::RE2::ANCHOR_BOTH, nullptr, 0) ? 1 : 0;
}

extern "C" int fjord_re2_match(const fjord_re2 *re, const char *text, size_t len, size_t startpos, int anchor,
                               long *offsets, int nsub) {
    re2::RE2::Anchor a = anchor == 1 ? re2::RE2::ANCHOR_START : (anchor == 2 ? re2::RE2::ANCHOR_BOTH : re2::RE2::UNANCHORED);
    if (nsub < 0) nsub = 0;
    std::vector<re2::StringPiece> subs(nsub > 0 ? nsub : 1);
    re2::StringPiece input(text, len);
    if (!re->re->Match(input, startpos, len, a, nsub > 0 ? subs.data() : nullptr, nsub)) return 0;
    for (int i = 0; i < nsub; i++) {
        if (subs[i].data() == nullptr) {
            offsets[2 * i] = -1;
            offsets[2 * i + 1] = -1;
        } else {
            offsets[2 * i] = (long)(subs[i].data() - text);
            offsets[2 * i + 1] = (long)(subs[i].data() - text + subs[i].size());
        }
    }
    return 1;
}
