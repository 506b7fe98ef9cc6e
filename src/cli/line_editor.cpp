#include "cli/line_editor.h"

#include <histedit.h>

#include <cerrno>
#include <cstdio>

namespace os1::cli {

struct line_editor::impl {
    EditLine * el = nullptr;
    History * hist = nullptr;
    HistEvent ev{};
    std::string history_path;
    std::string prompt;

    static char * prompt_fn(EditLine * e) {
        impl * self = nullptr;
        el_get(e, EL_CLIENTDATA, &self);
        return self ? self->prompt.data() : const_cast<char *>("> ");
    }
};

line_editor::line_editor(const char * program, std::string history_path) : impl_(std::make_unique<impl>()) {
    impl & s = *impl_;
    s.history_path = std::move(history_path);
    s.el = el_init(program, stdin, stdout, stderr);
    s.hist = history_init();
    history(s.hist, &s.ev, H_SETSIZE, 1000);
    history(s.hist, &s.ev, H_SETUNIQUE, 1);
    if (!s.history_path.empty()) history(s.hist, &s.ev, H_LOAD, s.history_path.c_str());
    el_set(s.el, EL_CLIENTDATA, &s);
    el_set(s.el, EL_PROMPT, &impl::prompt_fn);
    el_set(s.el, EL_EDITOR, "emacs");
    el_set(s.el, EL_HIST, history, s.hist);
    el_source(s.el, nullptr);  // the person's ~/.editrc, if any
}

line_editor::~line_editor() {
    history_end(impl_->hist);
    el_end(impl_->el);
}

line_editor::outcome line_editor::read(const std::string & prompt, std::string & line) {
    impl & s = *impl_;
    s.prompt = prompt;
    int count = 0;
    errno = 0;
    const char * text = el_gets(s.el, &count);
    if (!text) {
        if (count < 0 || errno == EINTR) {
            el_reset(s.el);
            std::fputc('\n', stdout);
            return outcome::interrupted;
        }
        return outcome::end_of_input;
    }
    line.assign(text, static_cast<size_t>(count));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) {
        history(s.hist, &s.ev, H_ENTER, line.c_str());
        if (!s.history_path.empty()) history(s.hist, &s.ev, H_SAVE, s.history_path.c_str());
    }
    return outcome::line;
}

}  // namespace os1::cli
