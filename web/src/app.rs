//! The router and the page frame.

use leptos::prelude::*;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::path;

use crate::components::guard::{AdminOnly, HomeRedirect, SignedIn};
use crate::components::header::Header;
use crate::pages;
use crate::session;

#[component]
pub fn App() -> impl IntoView {
    let s = session::get();
    // Picks up a stored session (mounting has started the async executor this needs).
    session::restore();
    view! {
        <Router>
            <Show when=move || s.role.get().is_some()>
                <Header />
            </Show>
            <main class="main">
                <Routes fallback=pages::not_found::NotFoundPage>
                    <Route path=path!("/login") view=pages::login::LoginPage />
                    <Route path=path!("/invite/:token") view=pages::invite::InvitePage />
                    <Route path=path!("/rate/:token") view=pages::rate::RatePage />
                    <ParentRoute path=path!("") view=SignedIn>
                        <Route path=path!("/") view=HomeRedirect />
                        <Route path=path!("/clients") view=pages::clients::ClientsPage />
                        <Route path=path!("/tickets") view=pages::tickets::TicketsPage />
                        <Route path=path!("/handoffs") view=pages::handoffs::HandoffsPage />
                        <Route path=path!("/tickets/:id") view=pages::ticket::TicketPage />
                        <Route path=path!("/support") view=pages::support::SupportPage />
                        <Route path=path!("/my-project") view=pages::my_project::MyProjectPage />
                        <Route path=path!("/projects") view=pages::projects::ProjectsPage />
                        <ParentRoute path=path!("/projects/:id") view=pages::project::ProjectPage>
                            <Route path=path!("") view=pages::project::activities::ActivitiesSection />
                            <Route
                                path=path!("/activities")
                                view=pages::project::activities::ActivitiesSection
                            />
                            <Route path=path!("/chat") view=pages::project::chat::ChatSection />
                            <Route path=path!("/board") view=pages::project::board::BoardSection />
                            <Route path=path!("/agenda") view=pages::project::agenda::AgendaSection />
                        </ParentRoute>
                        <Route path=path!("/templates") view=pages::templates::TemplatesPage />
                        <Route path=path!("/account") view=pages::account::AccountPage />
                        <ParentRoute path=path!("/admin") view=AdminOnly>
                            <Route
                                path=path!("/organizations")
                                view=pages::admin_organizations::AdminOrganizationsPage
                            />
                            <Route path=path!("/users") view=pages::admin_users::AdminUsersPage />
                            <Route
                                path=path!("/invitations")
                                view=pages::admin_invitations::AdminInvitationsPage
                            />
                            <Route
                                path=path!("/departments")
                                view=pages::admin_departments::AdminDepartmentsPage
                            />
                            <Route path=path!("/jobs") view=pages::admin_jobs::AdminJobsPage />
                            <Route
                                path=path!("/automation")
                                view=pages::admin_automation::AdminAutomationPage
                            />
                            <Route path=path!("/desk") view=pages::admin_desk::AdminDeskPage />
                        </ParentRoute>
                    </ParentRoute>
                </Routes>
            </main>
        </Router>
    }
}
